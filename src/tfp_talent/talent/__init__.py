"""The study: talent measures, model design (lags, frontier distance, interactions,
sample filters) and the specification runner that turns config entries into results."""
