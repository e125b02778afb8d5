"""The Parquet results store: atomic parts, units in the files, and damage never read silently."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from neurocost.sweeps.result_columns import column_units
from neurocost.sweeps.store import LAYERS, RESULTS, CorruptResultsError, ResultsStore
from tests.reports.fake_results import layer_rows, results_rows


def two_part_store(tmp_path: Path) -> tuple[ResultsStore, pd.DataFrame]:
    rows = results_rows(["scnn", "bnn"], ["loihi"])
    store = ResultsStore(tmp_path / "store")
    units = column_units(list(rows.columns))
    store.append(rows.iloc[:2], units, layer_rows(["scnn"], ["loihi"]))
    store.append(rows.iloc[2:], units, layer_rows(["bnn"], ["loihi"]))
    return store, rows


def test_rows_read_back_exactly_sorted_by_key(tmp_path: Path) -> None:
    store, rows = two_part_store(tmp_path)
    expected = rows.sort_values("key", ignore_index=True)
    pd.testing.assert_frame_equal(store.read(), expected)
    assert store.finished_keys() == set(rows["key"])


def test_units_travel_in_the_parquet_field_metadata(tmp_path: Path) -> None:
    store, _ = two_part_store(tmp_path)
    schema = pq.read_schema(store.parts(RESULTS)[0])
    assert schema.field("energy_j").metadata[b"unit"] == b"J"
    assert schema.field("memory_bits.sram").metadata[b"unit"] == b"bit"
    assert store.units()["latency_s"] == "s"


def test_truncated_part_is_refused_by_read_naming_the_file(tmp_path: Path) -> None:
    store, _ = two_part_store(tmp_path)
    part = store.parts(RESULTS)[1]
    part.write_bytes(part.read_bytes()[:-40])
    with pytest.raises(CorruptResultsError, match=part.name):
        store.read()


def test_repair_quarantines_a_damaged_part_and_keeps_the_others(tmp_path: Path) -> None:
    store, rows = two_part_store(tmp_path)
    damaged = store.parts(RESULTS)[1]
    damaged.write_bytes(damaged.read_bytes()[:-40])
    messages = store.repair()
    assert len(messages) == 2  # the damaged results part, then its orphaned layers part
    assert "damaged" in messages[0] and "quarantine" in messages[0]
    assert (store.root / "quarantine" / f"results-{damaged.name}").is_file()
    assert store.finished_keys() == set(rows["key"].iloc[:2])
    assert len(store.read(LAYERS)) == len(layer_rows(["scnn"], ["loihi"]))


def test_flipped_byte_inside_a_data_page_is_detected(tmp_path: Path) -> None:
    store, _ = two_part_store(tmp_path)
    part = store.parts(RESULTS)[0]
    data = bytearray(part.read_bytes())
    data[20] ^= 0xFF  # inside the first column chunk, just after the 4-byte 'PAR1' magic
    part.write_bytes(bytes(data))
    with pytest.raises(CorruptResultsError, match=part.name):
        store.read()


def test_half_written_leftover_blocks_read_and_is_removed_by_repair(tmp_path: Path) -> None:
    store, rows = two_part_store(tmp_path)
    leftover = store.root / RESULTS / "part-000003.parquet.tmp"
    leftover.write_bytes(b"PAR1 interrupted")
    with pytest.raises(CorruptResultsError, match="half-written"):
        store.read()
    assert any("half-written" in m for m in store.repair())
    assert not leftover.exists()
    assert len(store.read()) == len(rows)


def test_damaged_trace_cache_is_refused_then_quarantined(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path / "store")
    path = store.save_trace("abc", {"trace": {}, "accuracy": None})
    path.write_text('{"trace": ')
    with pytest.raises(CorruptResultsError, match="abc.json"):
        store.load_trace("abc")
    assert any("traced again" in m for m in store.repair())
    assert store.load_trace("abc") is None


def test_a_key_in_two_parts_is_reported(tmp_path: Path) -> None:
    rows = results_rows(["scnn"], ["loihi"])
    store = ResultsStore(tmp_path / "store")
    store.append(rows, {})
    store.append(rows.iloc[:1], {})
    with pytest.raises(CorruptResultsError, match="more than one part"):
        store.read()


def test_directory_without_results_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(CorruptResultsError, match="not a neurocost results store"):
        ResultsStore(tmp_path).read()


def test_foreign_parquet_file_is_refused(tmp_path: Path) -> None:
    store, _ = two_part_store(tmp_path)
    pd.DataFrame({"key": ["x"]}).to_parquet(store.root / RESULTS / "part-000009.parquet")
    with pytest.raises(CorruptResultsError, match="part-000009"):
        store.read()
