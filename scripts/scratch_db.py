"""Create or drop a throwaway PostgreSQL database for a test run.

python scripts/scratch_db.py create SERVER_URL   # prints the new database's URL
python scripts/scratch_db.py drop DATABASE_URL   # only a database `create` made
"""

import sys

from devtools import create_database, drop_database

if __name__ == "__main__":
    action, url = sys.argv[1:3]
    try:
        if action == "create":
            print(create_database(url, "e2e"))
        else:
            drop_database(url)
    except ValueError as error:
        sys.exit(f"error: {error}")
