# por_partner: PGXS build, plus the two commands of the README (make demo,
# make test) and the benchmarks.  PGXS itself comes from postgresql-server-dev;
# on a machine without it, `make demo` and `make test` install it first
# (scripts/deps.sh) and then call this Makefile again.

EXTENSION  = por_partner
# the version is written once, as default_version in the control file
EXTVERSION = $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = por_partner
OBJS       = src/pk_codec.o src/product_key.o src/random_code.o src/contact_edit.o src/phase.o src/caller.o src/paid_term.o \
             src/jsonb_delta.o src/audit_row.o src/license_precount.o
# The install script of EXTVERSION and the update scripts to it are built
# from sql/ (scripts/build_sql.sh, doc/architecture.md); the scripts of
# released versions are installed as they were released, from sql/frozen/,
# except those of EXTVERSION, which the built ones replace (the frozen ones
# serve only the comparison of test/shell/built_vs_frozen.sh).
SQL_SOURCES   = $(sort $(wildcard sql/[0-9][0-9]_*/*.sql))
SQL_UPDATES   = $(wildcard sql/updates/*--$(EXTVERSION).sql)
DATA_built    = build/$(EXTENSION)--$(EXTVERSION).sql \
                $(patsubst sql/updates/%.sql,build/$(EXTENSION)--%.sql,$(SQL_UPDATES))
DATA          = $(filter-out $(addprefix sql/frozen/,$(notdir $(DATA_built))), \
                  $(wildcard sql/frozen/$(EXTENSION)--*.sql))
DOCS       = README.md

# pg_regress: sql/NAME.sql and expected/NAME.out; isolation specs under test/
REGRESS       = product_key renewal_warning
ISOLATION     = product_key_unique redeem_same_key seat_limit answer_offer send_notices notice_after_renewal one_paid_path one_paid_term job_skips_locked \
                lock_own_cards claim_notices
ISOLATION_OPTS = --inputdir=test/isolation

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -Wextra -Wno-unused-parameter

EXTRA_CLEAN = build results regression.diffs regression.out output_iso

# make installcheck: every suite that needs only a running server (PGHOST,
# PGPORT, PGUSER): pg_regress, the isolation specs and the pgTAP suites, as
# the targets below (PGXS's own installcheck would run only the first two)
NO_INSTALLCHECK = 1

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all:
	@echo "PostgreSQL's build files (PGXS) are missing: run 'make deps' first." >&2; exit 1
endif

.PHONY: deps test demo bench fuzz build-install loadtest lint freeze \
	installcheck installcheck-regress installcheck-isolation installcheck-pgtap

installcheck: installcheck-regress installcheck-isolation installcheck-pgtap
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
installcheck-pgtap:
	@test/pgtap.sh

# at a release: the built scripts of EXTVERSION are kept as released
# (doc/architecture.md); from then on test/shell/built_vs_frozen.sh holds the
# sources to them
freeze: all
	cp $(DATA_built) sql/frozen/

# plpgsql_check over every PL/pgSQL function of the installed extension,
# against a running server, as installcheck (test/lint.sh)
lint:
	@test/lint.sh

build/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) scripts/build_sql.sh $(EXTENSION).control
	@mkdir -p build
	scripts/build_sql.sh install $(EXTVERSION) >$@.tmp && mv $@.tmp $@

build/$(EXTENSION)--%--$(EXTVERSION).sql: sql/updates/%--$(EXTVERSION).sql $(SQL_SOURCES) scripts/build_sql.sh
	@mkdir -p build
	scripts/build_sql.sh update $* $(EXTVERSION) >$@.tmp && mv $@.tmp $@

deps:
	@scripts/deps.sh

# build and install the extension (as root, or through sudo when allowed)
build-install: deps
	@$(MAKE) --no-print-directory all
	@scripts/install.sh $(MAKE)

test: build-install
	@test/run.sh

demo: build-install
	@scripts/demo.sh

bench: build-install
	@bench/run.sh

loadtest: build-install
	@test/load/run.sh

# the libFuzzer target for the codec (clang); FUZZ_SECONDS bounds a run
FUZZ_SECONDS ?= 60
build/fuzz_product_key: src/pk_codec.c src/pk_codec.h test/fuzz/fuzz_product_key.c
	@mkdir -p build
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I$(srcdir)/src -o $@ src/pk_codec.c test/fuzz/fuzz_product_key.c

fuzz: deps build/fuzz_product_key
	@mkdir -p build/fuzz-corpus
	build/fuzz_product_key -max_total_time=$(FUZZ_SECONDS) build/fuzz-corpus test/fuzz/corpus

# the 16+ tests of soft input errors (pg_input_is_valid)
ifneq ($(VERSION_NUM),)
ifeq ($(shell test $(VERSION_NUM) -ge 160000 && echo yes),yes)
REGRESS += product_key_soft
endif
endif

# for the scripts: `make -s print-REGRESS`
print-%:
	@echo $($*)
