from fastapi.testclient import TestClient

from application import app

client = TestClient(app)


def test_index_says_hello():
    response = client.get("/")
    assert response.status_code == 200
    assert "Hello" in response.json()["message"]


def test_health_is_ok():
    assert client.get("/health").json() == {"status": "ok"}
