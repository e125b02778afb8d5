"""Energy: hardware profiles as sourced data, the energy model and counting conventions."""
