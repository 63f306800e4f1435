"""Snakemake script: an episode's cloud uploads, estimated and held to max_cost before the first of them."""

from podmotion.cloud.gate import check_episode
from podmotion.jobs import run_job


def main():
    sm = snakemake  # noqa: F821 (snakemake is injected)
    check_episode(sm.wildcards.name, sm.params.plan, sm.output.estimate)


run_job(snakemake, main)  # noqa: F821
