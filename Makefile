# The README's commands, and a few more.
.PHONY: start test lint ci
start:
	scripts/start.sh
test:
	scripts/test.sh
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/python manage.py makemigrations --check --dry-run
ci:
	bash .ci/run
