//! matrix.html in a real browser. Headless Chromium loads the page a `framespec matrix` run
//! wrote (and one built from synthetic failures), and the trials check what a person would
//! see: the script ran without an error (the page's own `#page-status` marker, and no
//! console message), every number in the DOM equals matrix.json, a cell opens to its cases
//! and their diffs, and the screenshot is not blank.
//!
//! Chromium is `$FRAMESPEC_CHROMIUM`, or `chromium` or `chromium-browser` on PATH (Debian:
//! `apt-get install chromium`). Without it every trial is reported as ignored with the
//! reason, never as passed; with `FRAMESPEC_REQUIRE_CHROMIUM=1` (set by `.ci/run`) they fail
//! with it.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use framespec::compare::{ChannelDiff, Outcome};
use framespec::matrix::{CaseInfo, Counts, Matrix, RowKind, Status};
use framespec::runner::{CaseFile, Report};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// The environment variable that turns a missing Chromium into failing trials.
const REQUIRE: &str = "FRAMESPEC_REQUIRE_CHROMIUM";

/// How long one Chromium run may take.
const LIMIT: Duration = Duration::from_secs(90);

fn main() -> ExitCode {
    let trials = vec![
        trial(
            "a_runs_page_loads_without_errors_and_its_numbers_are_matrix_json_s",
            a_runs_page_loads_without_errors_and_its_numbers_are_matrix_json_s,
        ),
        trial(
            "a_linked_cell_opens_to_its_cases_and_the_diffs_of_failures",
            a_linked_cell_opens_to_its_cases_and_the_diffs_of_failures,
        ),
        trial("the_screenshot_is_not_blank", the_screenshot_is_not_blank),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}

/// Chromium, or why the trials cannot run (searched once per process).
fn chromium() -> Result<&'static Path, &'static str> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let candidates: Vec<PathBuf> = match std::env::var_os("FRAMESPEC_CHROMIUM") {
                Some(path) => vec![PathBuf::from(path)],
                None => ["chromium", "chromium-browser"]
                    .iter()
                    .flat_map(|name| {
                        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                            .map(move |dir| dir.join(name))
                            .collect::<Vec<_>>()
                    })
                    .filter(|p| p.is_file())
                    .collect(),
            };
            candidates
                .into_iter()
                .find(|p| {
                    Command::new(p)
                        .arg("--version")
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .is_ok_and(|s| s.success())
                })
                .ok_or_else(|| {
                    "needs headless Chromium: no working chromium via $FRAMESPEC_CHROMIUM or \
                     chromium/chromium-browser on PATH (apt-get install chromium)"
                        .to_owned()
                })
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(String::as_str)
}

/// A trial that runs `body` with Chromium: ignored with the reason without it, failing with
/// it under `FRAMESPEC_REQUIRE_CHROMIUM=1`.
fn trial(name: &str, body: fn(&Path) -> Result<(), Failed>) -> Trial {
    Trial::ignorable_test(name, move || match chromium() {
        Ok(browser) => body(browser).map(|()| Completion::Completed),
        Err(reason) if std::env::var_os(REQUIRE).is_some_and(|v| v == "1") => {
            Err(format!("{REQUIRE}=1, but this test {reason}").into())
        }
        Err(reason) => Ok(Completion::ignored_with(reason)),
    })
}

/// A fresh directory under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "framespec-matrix-html-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// What one headless Chromium run printed.
struct Browsed {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `url` with `args` (`--dump-dom`, `--screenshot=…`), with its
/// own profile directory, console messages on stderr, and a time limit.
fn browse(browser: &Path, args: &[String], url: &str) -> Result<Browsed, Failed> {
    let profile = scratch("profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", browser.display()))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > LIMIT {
            // The browser and its helpers: the process group it leads.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&profile);
            return Err(format!("Chromium did not finish within {LIMIT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let browsed = Browsed {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    let _ = std::fs::remove_dir_all(&profile);
    if !status.success() {
        return Err(format!("Chromium exited with {status}:\n{}", browsed.stderr).into());
    }
    Ok(browsed)
}

fn url(page: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", page.display())
}

/// The DOM after the page's script ran, checked for the script's own verdict and for
/// console messages (the page logs nothing, so any message is an error).
fn loaded_dom(browser: &Path, page: &Path, fragment: &str) -> Result<String, Failed> {
    let browsed = browse(browser, &["--dump-dom".to_owned()], &url(page, fragment))?;
    let console: Vec<&str> = browsed
        .stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .collect();
    if !console.is_empty() {
        return Err(format!("the page wrote to the console:\n{}", console.join("\n")).into());
    }
    let dom = browsed.stdout;
    let status = elements(&dom, "p")
        .into_iter()
        .find(|e| e.attr("id") == Some("page-status"))
        .ok_or("the DOM has no #page-status")?;
    if status.attr("data-state") != Some("ready") || status.attr("data-errors") != Some("[]") {
        return Err(format!(
            "the page's script did not finish cleanly: state {:?}, errors {:?}: {}",
            status.attr("data-state"),
            status.attr("data-errors"),
            status.text
        )
        .into());
    }
    Ok(dom)
}

/// An element of serialised HTML: its attributes, and its text up to the next tag.
#[derive(Debug)]
struct Element {
    attrs: BTreeMap<String, String>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    fn count(&self, status: Status) -> Result<usize, String> {
        let name = format!("data-{}", status.key());
        self.attr(&name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no number in {name}: {self:?}"))
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Every `<tag …>` in `html` (as Chromium serialises a DOM: attribute values in double
/// quotes), with its attributes and the text that follows it up to the next tag.
fn elements(html: &str, tag: &str) -> Vec<Element> {
    let open = format!("<{tag}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at + open.len()..];
        if !rest.starts_with([' ', '>', '/']) {
            continue;
        }
        let mut attrs = BTreeMap::new();
        let mut s = rest;
        loop {
            s = s.trim_start();
            if s.is_empty() || s.starts_with('>') || s.starts_with("/>") {
                break;
            }
            let end = s.find(['=', ' ', '>']).unwrap_or(s.len());
            let name = s[..end].to_owned();
            s = &s[end..];
            if let Some(after) = s.strip_prefix("=\"") {
                let close = after.find('"').unwrap_or(after.len());
                attrs.insert(name, unescape(&after[..close]));
                s = &after[(close + 1).min(after.len())..];
            } else {
                attrs.insert(name, String::new());
            }
        }
        let body = s.trim_start_matches("/>").trim_start_matches('>');
        let text = unescape(&body[..body.find('<').unwrap_or(body.len())]);
        rest = body;
        out.push(Element { attrs, text });
    }
    out
}

/// The matrix of a `framespec matrix --target reference` run over every case, and the
/// directory holding its three files.
fn reference_run() -> Result<(Matrix, PathBuf), Failed> {
    let dir = scratch("run");
    let out = Command::new(env!("CARGO_BIN_EXE_framespec"))
        .args(["matrix", "--target", "reference", "--out"])
        .arg(&dir)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .map_err(|e| format!("framespec: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "framespec matrix failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let json = std::fs::read_to_string(dir.join("matrix.json")).map_err(|e| e.to_string())?;
    Ok((Matrix::from_json(&json)?, dir))
}

fn a_runs_page_loads_without_errors_and_its_numbers_are_matrix_json_s(
    browser: &Path,
) -> Result<(), Failed> {
    let (matrix, dir) = reference_run()?;
    let dom = loaded_dom(browser, &dir.join("matrix.html"), "")?;

    // Every cell: one per row and target, plus the totals, with matrix.json's counts.
    let mut expected: BTreeMap<(String, String), Counts> = BTreeMap::new();
    for target in &matrix.targets {
        for row in &matrix.rows {
            expected.insert((row.key(), target.clone()), row.cells[target]);
        }
        expected.insert(
            ("total:all".to_owned(), target.clone()),
            matrix.totals[target],
        );
    }
    let cells: Vec<Element> = elements(&dom, "td")
        .into_iter()
        .filter(|e| {
            e.attr("class")
                .is_some_and(|c| c.split(' ').any(|w| w == "cell"))
        })
        .collect();
    assert_eq!(cells.len(), expected.len(), "one cell per row and target");
    for cell in &cells {
        let key = (
            cell.attr("data-row").unwrap_or_default().to_owned(),
            cell.attr("data-target").unwrap_or_default().to_owned(),
        );
        let want = expected
            .remove(&key)
            .ok_or_else(|| format!("a cell matrix.json lacks, or twice: {key:?}"))?;
        for status in Status::ALL {
            assert_eq!(cell.count(status)?, want.get(status), "{key:?} {status:?}");
        }
    }

    // The totals table's visible numbers.
    let shown: Vec<(String, usize)> = elements(&dom, "td")
        .into_iter()
        .filter_map(|e| {
            let status = e.attr("data-total")?.to_owned();
            Some((status, e.text.trim().parse().ok()?))
        })
        .collect();
    let want: Vec<(String, usize)> = matrix
        .targets
        .iter()
        .flat_map(|t| {
            Status::ALL
                .iter()
                .map(|s| (s.key().to_owned(), matrix.totals[t].get(*s)))
        })
        .collect();
    assert_eq!(shown, want);

    // The chart: a bar per chapter and target, with its pass count and applicable cases.
    let bars: Vec<Element> = elements(&dom, "rect")
        .into_iter()
        .filter(|e| e.attr("class") == Some("bar"))
        .collect();
    let chapters: Vec<_> = matrix.rows_of(RowKind::Chapter).collect();
    assert_eq!(bars.len(), chapters.len() * matrix.targets.len());
    for bar in &bars {
        let chapter = chapters
            .iter()
            .find(|r| Some(r.id.as_str()) == bar.attr("data-chapter"))
            .ok_or_else(|| format!("a bar for no chapter: {bar:?}"))?;
        let counts = chapter.cells[bar.attr("data-target").unwrap_or_default()];
        assert_eq!(
            bar.attr("data-pass"),
            Some(counts.pass.to_string().as_str())
        );
        assert_eq!(
            bar.attr("data-applicable"),
            Some(
                (counts.total() - counts.not_applicable)
                    .to_string()
                    .as_str()
            )
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn report(target: &str, id: &str, outcome: Outcome) -> Report {
    Report {
        target: target.to_owned(),
        selector: target.to_owned(),
        file: CaseFile {
            id: id.to_owned(),
            path: format!("cases/{id}.yaml").into(),
        },
        outcome,
    }
}

/// Two targets over three cases; `frames/b` fails on `other` with a diff full of markup.
fn synthetic() -> Matrix {
    let reports = vec![
        report("reference", "frames/a", Outcome::Pass),
        report("reference", "frames/b", Outcome::Pass),
        report("reference", "tracing/c", Outcome::Pass),
        report("other", "frames/a", Outcome::Pass),
        report(
            "other",
            "frames/b",
            Outcome::Fail(vec![ChannelDiff {
                channel: "stdout",
                expected: "same\n</script><b>bold</b> & \"q\"\n".to_owned(),
                actual: "same\nsomething else\n".to_owned(),
            }]),
        ),
        report(
            "other",
            "tracing/c",
            Outcome::Unsupported {
                feature: "metaclasses".to_owned(),
                location: "main.py:3:1".to_owned(),
            },
        ),
    ];
    let info = |clauses: &[&str]| CaseInfo {
        title: "a case <with> markup & more".to_owned(),
        clauses: clauses.iter().map(|c| (*c).to_owned()).collect(),
        tags: vec!["pep669".to_owned()],
    };
    let infos = BTreeMap::from([
        ("frames/a".to_owned(), info(&["frames.repr"])),
        ("frames/b".to_owned(), info(&["frames.repr"])),
        ("tracing/c".to_owned(), info(&["tracing.settrace.call"])),
    ]);
    Matrix::build(
        &reports,
        &["reference".to_owned(), "other".to_owned()],
        &infos,
        0.25,
    )
}

fn a_linked_cell_opens_to_its_cases_and_the_diffs_of_failures(
    browser: &Path,
) -> Result<(), Failed> {
    let dir = scratch("synthetic");
    synthetic().write(&dir)?;
    let page = dir.join("matrix.html");
    let dom = loaded_dom(browser, &page, "#open=chapter%3Aframes@other")?;

    let opened: Vec<Element> = elements(&dom, "td")
        .into_iter()
        .filter(|e| e.attr("aria-expanded") == Some("true"))
        .collect();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert_eq!(opened[0].attr("data-row"), Some("chapter:frames"));
    assert_eq!(opened[0].attr("data-target"), Some("other"));
    let detail = elements(&dom, "tr")
        .into_iter()
        .filter(|e| e.attr("class") == Some("detail"))
        .collect::<Vec<_>>();
    assert_eq!(detail.len(), 1, "one detail row");
    assert_eq!(detail[0].attr("data-for"), Some("chapter%3Aframes@other"));

    // The failing case first, then the passing one.
    let listed: Vec<(String, String)> = elements(&dom, "li")
        .into_iter()
        .filter(|e| e.attr("class") == Some("case"))
        .map(|e| {
            (
                e.attr("data-id").unwrap_or_default().to_owned(),
                e.attr("data-status").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("frames/b".to_owned(), "fail".to_owned()),
            ("frames/a".to_owned(), "pass".to_owned())
        ]
    );
    // The diff, line by line, as text: the markup in it is not markup in the page.
    let lines: Vec<(String, String)> = elements(&dom, "span")
        .into_iter()
        .filter(|e| {
            matches!(
                e.attr("class"),
                Some("head" | "hunk" | "del" | "add" | "ctx")
            )
        })
        .map(|e| (e.attr("class").unwrap_or_default().to_owned(), e.text))
        .collect();
    let want = [
        ("head", "channel `stdout` differs (- expected, + actual):"),
        ("hunk", "@@ -1,2 +1,2 @@"),
        ("ctx", " same"),
        ("del", "-</script><b>bold</b> & \"q\""),
        ("add", "+something else"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
        .collect();
    assert_eq!(lines, want);
    assert!(
        !dom.contains("<b>bold</b>"),
        "the diff's text became markup"
    );

    // A link to a cell the matrix lacks is not an error.
    let dom = loaded_dom(browser, &page, "#open=chapter%3Anone@other")?;
    assert!(
        dom.contains("does not have"),
        "the page says the link is stale"
    );
    assert!(!dom.contains("class=\"detail\""));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn the_screenshot_is_not_blank(browser: &Path) -> Result<(), Failed> {
    let dir = scratch("screenshot");
    synthetic().write(&dir)?;
    let shot = dir.join("shot.png");
    browse(
        browser,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1000,900".to_owned(),
        ],
        &url(&dir.join("matrix.html"), ""),
    )?;
    let file = std::fs::File::open(&shot).map_err(|e| format!("no screenshot: {e}"))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut pixels = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
    let frame = reader.next_frame(&mut pixels).map_err(|e| e.to_string())?;
    assert_eq!((frame.width, frame.height), (1000, 900));
    let channels = frame.color_type.samples();
    let colours: std::collections::BTreeSet<&[u8]> = pixels[..frame.buffer_size()]
        .chunks(channels)
        .map(|p| &p[..channels.min(3)])
        .collect();
    // Text, the status colours and the chart: far more than a blank page's one colour.
    assert!(colours.len() > 16, "{} colours", colours.len());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
