"""Further AJCC 8th-edition sites (stomach, oesophagus, pancreas, liver, thyroid, kidney, bladder,
cervix, GIST): stage-group tables as data, descriptor rules and report-text extraction."""
