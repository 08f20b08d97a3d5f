"""Dataset requirements: the extra steps a requested dataset asks of an application (the
Longitudinal Study's supplementary form), completed by the lead and accepted or
returned by the dataset's team before the panel may approve."""
