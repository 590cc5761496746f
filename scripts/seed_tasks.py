"""Give one user many tasks at once, straight into the database the API serves (browser tests).

python scripts/seed_tasks.py DATABASE_URL USER_ID COUNT

Thousands of POSTs would take minutes; one multi-row insert through the app's own table
definition takes well under a second and writes rows exactly as the API stores them. The
tasks carry no tags (a tag also needs its task_tag link, which only the API writes).
"""

import sys
from datetime import UTC, date, datetime, timedelta

from app.db.urls import database_url
from app.models import PRIORITIES, task
from sqlalchemy import create_engine, insert


def rows(user_id: str, count: int) -> list[dict[str, object]]:
    start = datetime.now(UTC) - timedelta(days=1)
    today = date.today()
    return [
        {
            "user_id": user_id,
            "title": f"Seeded task {n:05d}",
            "description": "seeded for the browser tests" if n % 4 == 0 else None,
            "completed": n % 3 == 0,
            "priority": n % len(PRIORITIES),
            "due_date": today + timedelta(days=n % 40 - 10) if n % 2 == 0 else None,
            "tags": [],
            "created_at": start + timedelta(seconds=n),
            "updated_at": start + timedelta(seconds=n),
        }
        for n in range(1, count + 1)
    ]


def seed(url: str, user_id: str, count: int) -> None:
    engine = create_engine(database_url(url, asynchronous=False))
    try:
        with engine.begin() as conn:
            conn.execute(insert(task), rows(user_id, count))
    finally:
        engine.dispose()


if __name__ == "__main__":
    url, user_id, count = sys.argv[1:4]
    seed(url, user_id, int(count))
