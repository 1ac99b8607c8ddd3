"""The batch pages (j1280): registry with schedules, remembered parameters, run now, run log."""
