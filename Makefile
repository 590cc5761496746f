# The two commands of the README, and the benchmarks. The scripts do the work.
.PHONY: run test bench lock

run:  ## set up everything and start the whole app (backend :8000, frontend :3000)
	@bash scripts/run.sh

test:  ## run every test of the project (TEST_DATABASE_URL adds a PostgreSQL run)
	@bash scripts/test.sh

bench:  ## run the benchmarks and rewrite docs/benchmarks.md (make bench ARGS=--quick)
	@bash bench/run.sh $(ARGS)

lock:  ## upgrade backend/uv.lock to the newest versions pyproject.toml allows
	@bash scripts/lock.sh
