# mk/install.mk - man pages, make install / uninstall, make deb (included by
# the Makefile). GNU conventions: PREFIX (default /usr/local) and DESTDIR.
#
#   make man                      build/man/*.[158] from docs/man/*.scd (scdoc)
#   make install [PREFIX=/usr] [DESTDIR=/tmp/root]
#   make uninstall [PREFIX=...]
#   make deb                      build/passgate_VERSION_ARCH.deb
#
# The configuration lives in $(SYSCONFDIR)/passgate/ whatever PREFIX is (the
# daemon and the unit name /etc/passgate/passgate.conf). make install puts
# the example in $(DATADIR) and, on a real install (no DESTDIR), copies it
# to the configuration file when there is none; a package's postinst does
# that instead.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/passgate
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
# Where systemd itself keeps units for /usr (Debian 12: /lib/systemd/system);
# below PREFIX otherwise (systemd reads /usr/local/lib/systemd/system too).
ifeq ($(PREFIX),/usr)
UNITDIR    ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
else
UNITDIR    ?= $(PREFIX)/lib/systemd/system
endif
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
INSTALL    ?= install

PG_VERSION_H = $(firstword $(wildcard src/util/version.h src/ctl/version.h))
VERSION := $(shell sed -n 's/^\#define PG_VERSION "\(.*\)"/\1/p' $(PG_VERSION_H))

MAN_SRC  = $(wildcard docs/man/*.scd)
MAN_PAGES = $(patsubst docs/man/%.scd,$(BUILD)/man/%,$(MAN_SRC))

.PHONY: man install uninstall deb

man: $(MAN_PAGES)

$(BUILD)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

# Every file make install writes, relative to DESTDIR (make uninstall reads it).
INSTALLED = $(SBINDIR)/passgated $(SBINDIR)/passgatectl $(BINDIR)/passgate-probe \
	$(MANDIR)/man8/passgated.8 $(MANDIR)/man8/passgatectl.8 \
	$(MANDIR)/man5/passgate.conf.5 $(MANDIR)/man1/passgate-probe.1 \
	$(DATADIR)/passgate.conf $(BASHCOMPDIR)/passgatectl $(UNITDIR)/passgate.service \
	$(SYSUSERSDIR)/passgate.conf

install: all man
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	$(INSTALL) -m 0755 $(BUILD)/passgated $(BUILD)/passgatectl $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0755 $(BUILD)/passgate-probe $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 $(BUILD)/man/passgated.8 $(BUILD)/man/passgatectl.8 \
		$(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(BUILD)/man/passgate.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 docs/passgate-probe.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 dist/passgate.conf $(DESTDIR)$(DATADIR)/passgate.conf
	$(INSTALL) -m 0644 dist/bash-completion/passgatectl $(DESTDIR)$(BASHCOMPDIR)/passgatectl
	sed -e 's|/usr/sbin/passgated|$(SBINDIR)/passgated|' \
	    -e 's|/etc/passgate|$(SYSCONFDIR)/passgate|g' dist/systemd/passgate.service \
		>$(DESTDIR)$(UNITDIR)/passgate.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/passgate.service
	$(INSTALL) -m 0644 dist/sysusers.d/passgate.conf $(DESTDIR)$(SYSUSERSDIR)/passgate.conf
	@# The user the daemon switches to, on a real install (the package uses adduser).
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/passgate.conf; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ ! -e $(SYSCONFDIR)/passgate/passgate.conf ]; then \
		$(INSTALL) -d -m 0750 $(SYSCONFDIR)/passgate && \
		$(INSTALL) -m 0640 dist/passgate.conf $(SYSCONFDIR)/passgate/passgate.conf && \
		{ ! getent passwd passgate >/dev/null || \
		  chown -R passgate:passgate $(SYSCONFDIR)/passgate; } && \
		echo "wrote $(SYSCONFDIR)/passgate/passgate.conf: name the links in it"; \
	fi

# The configuration and state are left alone, as a package removal does.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null

# The .deb is built from a copy of the working tree (uncommitted changes
# included, build output and git data not), so dpkg-buildpackage's clean
# and its files in the parent directory stay inside build/deb.
DEB_DIR = $(BUILD)/deb
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/passgate-$(VERSION)
	tar -c --exclude=./build --exclude=./.git --exclude=./tests/web/node_modules . | \
		tar -x -C $(DEB_DIR)/passgate-$(VERSION)
	cd $(DEB_DIR)/passgate-$(VERSION) && \
		DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -30 ../build.log; echo "make deb: dpkg-buildpackage failed (log: $(DEB_DIR)/build.log)"; exit 1; }
	cp $(DEB_DIR)/passgate_$(VERSION)_*.deb $(BUILD)/
	@ls $(BUILD)/passgate_$(VERSION)_*.deb
