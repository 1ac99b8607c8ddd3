"""The extraction pages (EUC, j1360; sampling, j1330): wizard, condition builder, jobs with progress."""
