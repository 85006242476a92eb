# CX Ledger — `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WAREHOUSE := data/warehouse.duckdb
PORT ?= 8501
PYSPARK := pyspark==4.3.0

.PHONY: run test lint bench demo venv exports fonts browser postgres spark screenshots clean messages

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv: $(STAMP)

$(WAREHOUSE): | $(STAMP)
	$(PY) -m dashboard demo --out $(WAREHOUSE)

demo: $(STAMP)
	$(PY) -m dashboard demo --out $(WAREHOUSE)

run: $(STAMP) $(WAREHOUSE) exports
	$(PY) -m dashboard serve --server.port $(PORT) --server.address localhost

# The image exports (PNG, SVG, the board pack's PowerPoint and PDF) need a Chromium, found the
# way the app finds it (BROWSER_PATH, else chromium on PATH): install Debian's when missing and
# running as root. Never stops `make run`: without one the app serves and its image buttons
# say what to install.
exports: $(STAMP)
	@$(PY) -c "from dashboard.exports.files import images_available as ok; raise SystemExit(not ok())" || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	      || echo "chromium could not be installed: image exports will say what to install"; \
	  else echo "chromium is missing: image exports stay off until it is installed" \
	            "(apt-get install chromium, as root) or BROWSER_PATH names one"; fi; }
	@$(MAKE) -s fonts || echo "Persian exports are drawn with a fallback font until it is installed"

# Exports in Persian (images, PDF pages, PowerPoint) are set in Noto Sans Arabic, from Debian's
# fonts-noto-core: installed when missing and running as root, else one line and a failure
# (`make test` needs it; `make run` says so and serves anyway).
PERSIAN_FONT := Noto Sans Arabic
FONT_PACKAGE := fonts-noto-core
fonts:
	@fc-list : family 2>/dev/null | grep -q "$(PERSIAN_FONT)" || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(FONT_PACKAGE); \
	  else echo "the Persian font ($(PERSIAN_FONT)) is missing: apt-get install" \
	            "$(FONT_PACKAGE) (as root)"; exit 1; fi; }

# The browser tests need Debian's Chromium; install it when missing and running as root.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "chromium is missing: apt-get install chromium (as root)"; exit 1; fi; }

# The engine tests start a throwaway PostgreSQL server; install Debian's package when missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q postgresql; \
	  else echo "postgresql is missing: apt-get install postgresql (as root)"; exit 1; fi; }

# The Spark engine tests need PySpark (optional, ~456 MB: kept out of requirements.txt) and Java 17.
spark: $(STAMP)
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q openjdk-17-jre-headless; \
	  else echo "java is missing: apt-get install openjdk-17-jre-headless (as root)"; exit 1; fi; }
	@$(PY) -c "import pyspark" 2>/dev/null || $(PY) -m pip install -q $(PYSPARK)

# The translatable templates: extract them from the code into the template catalog and merge
# them into each language's catalog (new ones arrive untranslated; the suite fails on those).
LOCALE_DIR := dashboard/i18n/locale
messages: $(STAMP)
	$(VENV)/bin/pybabel -q extract -F dashboard/i18n/babel.cfg -k _ -k N_ -k ngettext:1,2 \
	  --no-location --sort-output --omit-header -o $(LOCALE_DIR)/cx.pot dashboard pages streamlit_app.py
	$(VENV)/bin/pybabel -q update -i $(LOCALE_DIR)/cx.pot -d $(LOCALE_DIR) -D cx --no-fuzzy-matching --ignore-obsolete

lint: $(STAMP)
	$(PY) -m ruff check .

# The tests without a browser on every core (pytest-xdist), then the browser tests one at a
# time (their servers, Chromium sessions and timings are not shared with other tests).
TEST_WORKERS ?= auto
test: $(STAMP) browser fonts postgres spark lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not browser"
	$(PY) -m pytest -q -m browser

# The README's pictures: the Weekly KPIs page's first screen at 1440 x 900 on the pinned demo
# world (built in a temporary folder), saved under data/screenshots/.
screenshots: $(STAMP) browser fonts
	$(PY) -m dashboard.bench.screenshots --out data/screenshots
	$(PY) -m dashboard.bench.screenshots --out data/screenshots --locale fa

bench: $(STAMP)
	$(PY) -m dashboard bench --customers 50000 1000000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts $(WAREHOUSE)
