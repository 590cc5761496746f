"""Health endpoints, and what the API says when its database is gone; the started app's
garbage collector."""

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import YOUNG_COLLECTION_THRESHOLD, create_app
from tests.conftest import make_settings
from tests.support import auth, new_user, token


def test_ready_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/health/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_unreachable_database_is_503_json(tmp_path: Path) -> None:
    # Nothing creates the missing folder without migrations, and no server listens on port 1.
    urls = [f"sqlite:///{tmp_path}/missing/app.sqlite", "postgresql://postgres@127.0.0.1:1/none"]
    for url in urls:
        settings = make_settings(url, auto_migrate=False, db_timeout_seconds=2)
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            headers = auth(token(new_user()))
            assert client.get("/health").status_code == 200
            ready = client.get("/health/ready")
            assert (ready.status_code, ready.json()) == (503, {"status": "unavailable"})
            assert ready.headers["Retry-After"] == "2"
            for method, path, body in [
                ("GET", "/tasks", None),
                ("POST", "/tasks", {"title": "x"}),
                ("PATCH", "/tasks/1", {"completed": True}),
                ("DELETE", "/tasks/1", None),
            ]:
                response = client.request(method, path, headers=headers, json=body)
                assert response.status_code == 503, (url, method, response.text)
                assert response.json() == {"detail": "database unavailable"}
            # Authentication still comes first: no token, no database talk.
            assert client.get("/tasks").status_code == 401


def test_a_started_app_collects_young_garbage_less_often_than_pythons_default(
    client: TestClient,
) -> None:
    assert client.get("/health").status_code == 200
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD > 700
