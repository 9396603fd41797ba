/* One line per subcommand, implemented in src/cmd_<name>.c. No include
 * guard: expanded with different VIGIL_COMMAND definitions. */
VIGIL_COMMAND("scan", cmd_scan, "sweep files for hash, file-name and YARA IOCs and tampering")
VIGIL_COMMAND("logs", cmd_logs, "hunt network IOCs in DNS, proxy and flow logs")
VIGIL_COMMAND("inspect", cmd_inspect, "show one binary's anatomy: sections, imports, signatures, overlay, findings")
VIGIL_COMMAND("pkg", cmd_pkg, "verify installed packages' files against dpkg's and apt's digests; find unowned executables")
VIGIL_COMMAND("hunt", cmd_hunt, "match new IOCs against the files earlier sweeps stored, reading none")
VIGIL_COMMAND("baseline", cmd_baseline, "integrity baseline like AIDE: init, check, update, keygen (signed with Ed25519)")
VIGIL_COMMAND("diff", cmd_diff, "compare two releases: what changed, and how much it matters")
VIGIL_COMMAND("snapshot", cmd_snapshot, "save the facts of a release as JSON, to diff against later")
VIGIL_COMMAND("verify", cmd_verify_release, "the release gate: pass or fail a release before it is deployed")
VIGIL_COMMAND("push", cmd_push, "send the store's newest sweep to the fleet database (PostgreSQL)")
VIGIL_COMMAND("fleet", cmd_fleet, "fleet database: init-db, and hunt, file, findings, hosts over every host's sweeps")
