import pytest
from django.test import Client

PASSWORD = "Demo@2026"
WRONG = "Wrong#Pass1"


@pytest.fixture
def browser_login():
    """Log a fresh client in through the login form, as a person does (from `address`)."""

    def login(username, password=PASSWORD, address="198.51.100.7", client=None):
        client = client or Client(REMOTE_ADDR=address)
        response = client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)
        return client, response

    return login


@pytest.fixture
def with_password(personas):
    """Every persona's password is the demo password."""
    for person in vars(personas).values():
        person.set_password(PASSWORD)
        person.save()
    return personas
