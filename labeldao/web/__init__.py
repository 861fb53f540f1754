"""LabelDAO's web app: server-rendered pages over the indexer's database."""
