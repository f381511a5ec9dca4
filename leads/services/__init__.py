"""Every write of the leads app (STYLE: services), one module per job."""
