"""`celery` with the clock moved: `python -m tests.clock_worker -A chainparty worker …` runs Celery's
command line in a process whose clock starts at CHAINPARTY_TEST_CLOCK (an ISO moment with its time
zone) and ticks on from there (time-machine). A browser test that moved its own clock to the day
before a meeting starts the worker here, so the sweep the worker runs finds the reminders due as
beat would find them on that day."""

import datetime as dt
import os
import sys

import time_machine


def main():
    moment = dt.datetime.fromisoformat(os.environ["CHAINPARTY_TEST_CLOCK"])
    time_machine.travel(moment, tick=True).start()
    from celery.__main__ import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    celery()


if __name__ == "__main__":
    main()
