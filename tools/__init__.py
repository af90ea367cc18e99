"""Developer tooling: builds what the wheel ships. Not installed with xl-brm."""
