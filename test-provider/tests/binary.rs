//! The binary as terraform and a person meet it: started by terraform under a provider's file
//! name it answers the plugin handshake; started any other way it says what it is for.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_tfsynth-test-provider");

/// go-plugin's cookie, which terraform sets for the plugins it starts.
const COOKIE: (&str, &str) =
    ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");

#[test]
fn under_its_own_name_it_lists_the_schemas_it_serves() {
    let out = Command::new(BINARY).output().expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("install it as terraform-provider-<name>_v<version> for one of") && err.contains("random"),
        "{err}"
    );
}

#[test]
fn started_as_a_provider_without_terraform_it_refuses() {
    let dir = tempfile_dir();
    let provider = dir.join("terraform-provider-random_v3.7.2");
    // A link, not a copy: a copy still open for writing in another test's thread would make
    // this exec fail with "text file busy".
    std::os::unix::fs::symlink(BINARY, &provider).expect("link");
    let out = Command::new(&provider).env_remove(COOKIE.0).output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("this is a plugin for terraform"), "{out:?}");
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[test]
fn started_by_terraform_it_answers_the_handshake_on_a_unix_socket() {
    let dir = tempfile_dir();
    let provider = dir.join("terraform-provider-random_v3.7.2");
    // A link, not a copy: a copy still open for writing in another test's thread would make
    // this exec fail with "text file busy".
    std::os::unix::fs::symlink(BINARY, &provider).expect("link");
    let mut child = Command::new(&provider).env(COOKIE.0, COOKIE.1).stdout(Stdio::piped()).spawn().expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a handshake line");
    child.kill().expect("stops");
    let _ = child.wait();
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields[..3], ["1", "6", "unix"], "core protocol 1, plugin protocol 6: {line}");
    assert!(fields[3].ends_with("plugin.sock") && fields[4] == "grpc", "{line}");
    std::fs::remove_dir_all(dir).expect("clean up");
}

/// A fresh folder of this test's own.
fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tfsynth-test-provider-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}
