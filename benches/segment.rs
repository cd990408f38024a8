//! Input-stage throughput (decode, HTML to text, segment; one core), MB/s of input bytes:
//! the whole CAPP-130 corpus, and adversarial shapes that must stay linear (issue: hostile
//! input): deep nesting, one huge line, millions of tiny lines, a huge table, a large file.
//!
//! `cargo bench --bench segment` (`-- adversarial` for the shapes alone).

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use privclause::input::decode;
use privclause::segment::{segment, SegmentOptions};
use std::hint::black_box;

fn corpus() -> Vec<String> {
    common::capp_policies()
        .iter()
        .map(|p| privclause::input::read_path(p).unwrap().text)
        .collect()
}

/// `(name, bytes, is_html)` of each adversarial shape.
fn adversarial(corpus: &[String]) -> Vec<(&'static str, Vec<u8>, bool)> {
    let sentence = "我们会收集您的手机号码、设备信息用于账号注册";
    let depth = 100_000;
    let nested = format!(
        "<html><body>{}{sentence}。{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let unclosed = format!("<html><body>{}{sentence}。", "<div><span>".repeat(depth));
    let one_line = sentence.repeat(300_000);
    let tiny_lines = "a\n".repeat(2_000_000);
    let row = |i: usize| format!("<tr><td>SDK {i}</td><td>{sentence}</td><td>位置信息</td></tr>");
    let html_table = format!(
        "<html><body><table>{}</table></body></html>",
        (0..40_000).map(row).collect::<String>()
    );
    let pipe_table = (0..100_000)
        .map(|i| format!("| SDK {i} | {sentence} | 位置信息 |\n"))
        .collect::<String>();
    let mut large = String::new();
    while large.len() < 50 << 20 {
        for text in corpus {
            large.push_str(text);
            large.push('\n');
        }
    }
    vec![
        ("nested_div_100k", nested.into_bytes(), true),
        ("unclosed_div_span_100k", unclosed.into_bytes(), true),
        ("one_line_6mb", one_line.into_bytes(), false),
        ("tiny_lines_2m", tiny_lines.into_bytes(), false),
        ("html_table_40k_rows", html_table.into_bytes(), true),
        ("pipe_table_100k_rows", pipe_table.into_bytes(), false),
        ("capp130_repeated_50mb", large.into_bytes(), false),
    ]
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let opts = SegmentOptions::default();
    let mut group = c.benchmark_group("segment");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("capp130", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| segment("capp", black_box(t), &opts).len())
                .sum::<usize>()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("adversarial");
    group.sample_size(10);
    for (name, input, is_html) in adversarial(&texts) {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let decoded = decode(black_box(&input), is_html).unwrap();
                segment("adversarial", &decoded.text, &opts).len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
