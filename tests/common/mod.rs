//! Shared helpers for the integration tests: hand-written original paragraphs (written for these
//! tests; no corpus text) and a runner for the built binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Original paragraphs written for the tests.
pub const ORIGINALS: &[&str] = &[
    "The city council met on Monday to discuss the new budget for public schools. Several parents asked the members to spend more money on teachers and less on new buildings, and the mayor promised to review the plan before the next meeting.",
    "Heavy rain caused flooding in the northern part of the country over the weekend. Hundreds of families left their homes, and the government sent soldiers to help clear the roads and deliver food and clean water to the villages.",
    "The company reported higher profits for the third quarter, thanks to strong sales of its new phone in Asia and Europe. Its chief executive said the firm would hire more engineers next year and open a research center in the capital.",
    "Scientists at the university have found a new species of frog in the mountain forests of the south. The small green animal lives near fast rivers and calls at night, and the team believes that only a few hundred remain in the wild.",
    "The football team won its fourth game in a row on Saturday, scoring two goals in the second half. The coach praised the young players for their hard work, while the fans sang and celebrated in the streets until late at night.",
    "The foreign minister told reporters that the two countries had agreed to reopen their embassies and resume direct flights. The talks lasted for three days, and both sides said they hoped to sign a trade agreement before the end of the year.",
    "A new study suggests that people who walk for thirty minutes a day sleep better and feel less stress at work. The researchers followed more than two thousand adults for five years and asked them to record their habits in a simple diary.",
    "The museum will open a new exhibition of modern art next month, with paintings and sculptures from artists in more than twenty countries. Tickets will be free for students, and the building will stay open late on Friday evenings.",
    "Prices of fresh fruit and vegetables rose sharply last month after a long period of dry weather damaged crops across the region. Farmers said they expected the situation to improve once the rain returned in the autumn.",
    "The police arrested two men on Wednesday after a series of thefts from cars parked near the central station. Officers said the suspects had been caught on camera, and they asked anyone with more information to contact them.",
    "The hospital has opened a new wing for children, with bright rooms, a small garden and a playground on the roof. Doctors said the space would help young patients recover faster and make long stays easier for their parents.",
    "Thousands of people gathered in the main square on Sunday to celebrate the national holiday with music, food and fireworks. The president gave a short speech thanking volunteers and workers who had helped the country through a difficult year.",
    "The airline announced that it would cancel dozens of flights next week because of a strike by pilots who are asking for better pay. Passengers were told to check the website before travelling and were offered refunds or new dates.",
    "Engineers have finished repairs on the old bridge over the river, which was closed for most of the summer after cracks were found in its main supports. Traffic is expected to return to normal by the end of the week.",
    "The writer's latest novel tells the story of a young woman who leaves her village to work in a large factory in the city. Critics have praised the book for its simple language and its honest picture of family life.",
    "Local farmers are testing a new method of growing rice that uses less water and fewer chemicals. Early results show that the harvest is almost as large as before, and the government plans to support the project in other provinces.",
];

/// Path of the built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_unspun")
}

/// Runs the binary with arguments and optional standard input.
pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        use std::io::Write;
        // A command that fails before reading its input (e.g. an unwritable output) may exit
        // before the write ends: a closed pipe here is the binary's choice, not a test failure.
        if let Err(e) = child.stdin.take().unwrap().write_all(input.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing the binary's input: {e}");
        }
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Spins a text with the binary's spinner.
pub fn spin(text: &str, profile: &str, rate: f64, seed: u64) -> String {
    let o = run(&["spin", "--profile", profile, "--rate", &rate.to_string(), "--seed", &seed.to_string(), "-"], Some(text));
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim_end().to_string()
}

/// Writes a labeled CSV: even-numbered paragraphs as originals, odd-numbered ones spun (so no
/// source text appears in both classes), alternating two spinner profiles.
pub fn write_labeled_csv(path: &Path, rate: f64) -> Vec<(String, bool)> {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["id", "text", "label", "source"]).unwrap();
    let mut rows = Vec::new();
    for (i, text) in ORIGINALS.iter().enumerate() {
        let spun = i % 2 == 1;
        let profile = if i % 4 == 1 { "careful" } else { "phrase" };
        let text = if spun { spin(text, profile, rate, i as u64) } else { text.to_string() };
        w.write_record([format!("doc{i}"), text.clone(), if spun { "spun" } else { "original" }.to_string(), format!("s{}", i % 3)])
            .unwrap();
        rows.push((text, spun));
    }
    w.flush().unwrap();
    rows
}
