//! Control characters in prefixes, ids, tags and every other text of a manifest are refused
//! offline, naming the file, field and fix, before any request.

use crate::support::cases;
use crate::support::e2e;

use cases::{COS, OSS};
use e2e::{Emulator, Manifests, assert_exit, invsync, stderr};

#[test]
fn control_characters_in_prefixes_ids_and_tags_fail_validate_and_plan_without_requests() {
    let emulator = Emulator::start();
    for case in [COS, OSS] {
        let manifests = Manifests::new();
        let yaml = case
            .manifest(false, &[("logs", "\"logs/\\n\""), ("bell\\a", "ok/")])
            .replace("id: bell\\a", "id: \"bell\\a\"")
            .replace(
                "        format: CSV\n",
                "        format: CSV\n        prefix: \"out\\u001b[31m\"\n",
            );
        manifests.write("bucket.yaml", &yaml);
        emulator.handle.reset_stats();
        for command in ["validate", "plan"] {
            let output = invsync(
                &emulator,
                &[command, "--manifests", manifests.path().to_str().unwrap()],
            );
            assert_exit(&output, 1);
            let err = stderr(&output);
            for expected in [
                "bucket.yaml:",
                "spec.inventories[0] (id logs).filter.prefix: `logs/\\n` contains the control character U+000A",
                "spec.inventories[0] (id logs).destination.prefix: `out\\u{1b}[31m` contains the control character U+001B",
                "spec.inventories[1] (id bell\\u{7}).id: id `bell\\u{7}` contains `\\u{7}`",
                "hint: remove it; in double-quoted YAML",
            ] {
                assert!(
                    err.contains(expected),
                    "{command} {}: {expected} in\n{err}",
                    case.provider
                );
            }
            assert!(
                !err.chars().any(|c| c.is_control() && c != '\n'),
                "a control character reached the terminal: {err}"
            );
        }
        assert_eq!(
            emulator.handle.stats().total,
            0,
            "no request for invalid manifests"
        );
    }
}
