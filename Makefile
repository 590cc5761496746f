# The two commands of the README, and the benchmarks. The scripts do the work.
.PHONY: run cluster test bench lock

run:  ## set up everything and start the whole app (backend :8000, frontend :3000)
	@bash scripts/run.sh

cluster:  ## two API replicas and two web servers behind HAProxy on :8080 (needs DATABASE_URL=postgresql://…)
	@bash scripts/cluster.sh

test:  ## run every test of the project (TEST_DATABASE_URL adds a PostgreSQL run)
	@bash scripts/test.sh

bench:  ## run the benchmarks and rewrite docs/benchmarks.md (make bench ARGS=--quick)
	@bash bench/run.sh $(ARGS)

lock:  ## upgrade backend/uv.lock to the newest versions pyproject.toml allows
	@bash scripts/lock.sh
