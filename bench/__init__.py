"""`make bench`: a province-sized dataset in PostgreSQL and the timings issue 3 sets targets for."""
