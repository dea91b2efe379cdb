"""Adapter: asset.rda -> data/processed/[variants/<v>/]capital.parquet (perpetual inventory, config `capital:`)."""

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.capital import china_capital_stock, read_asset

with script_run(snakemake.log[0]) as log:
    params = dict(snakemake.params.settings)
    notes: list[str] = []
    asset = read_asset(snakemake.input.asset, notes=notes)
    for note in notes:
        log.info(note)
    capital = china_capital_stock(asset, **params)
    log.info(
        "capital stock %s: %d province-years, %d–%d",
        params,
        len(capital),
        capital["year"].min(),
        capital["year"].max(),
    )
    write_frame(capital, snakemake.output[0])
