# The two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps run migrate demo test lint typecheck clean

# Debian packages: a CJK TrueType font that PDFs embed (documents); poppler and zbar to check PDFs and QR codes in tests.
SYSTEM_PACKAGES := fonts-arphic-uming poppler-utils zbar-tools chromium chromium-l10n

system-deps:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "请以管理员身份安装：apt-get install$$missing（生成 PDF 文书需要中文字体）"; fi; \
	fi

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/skillreg migrate --noinput

demo: migrate
	$(BIN)/skillreg demo-data

# Sets up, migrates, loads demo data, starts the background worker and serves on SQLite.
# The local demo turns two-factor login off (SKILLREG_2FA_ROLES empty) so the printed demo
# accounts log in with their password; every other environment enforces it by default.
run: demo
	@echo "Serving at http://$(HOST):$(PORT)/  (Ctrl-C stops the server, the worker and the scheduler)"
	@echo "演示环境已关闭两步验证；正式部署默认对工作人员强制启用。"
	@trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/skillreg worker --interval 1 & worker=$$!; \
	$(BIN)/skillreg scheduler & scheduler=$$!; \
	SKILLREG_2FA_ROLES= $(BIN)/skillreg runserver --noreload $(HOST):$(PORT)

# The whole suite on whatever DATABASE_URL names (SQLite when unset).
test: install
	$(BIN)/ruff check skillreg e2e
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check skillreg e2e

typecheck: install
	$(BIN)/mypy skillreg

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (issue 8; bench/README.md): `make bench SCALE=small` runs in a few minutes,
# SCALE=full loads 10^7 certificates into the local PostgreSQL server. Needs wrk (Debian).
SCALE ?= small
BENCH_SYSTEM_PACKAGES := wrk
.PHONY: bench
bench: install
	@missing=""; for pkg in $(BENCH_SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "请以管理员身份安装：apt-get install$$missing（基准测试的压测工具）"; exit 1; fi; \
	fi
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	nice -n 10 $(BIN)/python -m bench.run --scale $(SCALE)
