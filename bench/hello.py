"""A bare Flask "hello" app: the yardstick bench/load.py serves under the same gunicorn settings as the portal."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The cheapest page Flask can serve."""
    return "Hello"
