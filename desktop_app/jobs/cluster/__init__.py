"""Captioning a job on a Ray cluster (the [cluster] extra): the driver here, the pipeline on the cluster."""
