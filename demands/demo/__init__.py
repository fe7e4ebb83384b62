"""Demonstration data of the three lists: needs at every step of their workflow (`needs`), then
resources, policies and a match that became a cooperation (`offers`)."""

from . import needs, offers


def load(org, *, stdout=None):
    needs.load(org, stdout=stdout)
    offers.load(org, stdout=stdout)
