//! What the lint costs next to loading the pack it lints: the example pack
//! `examples/seed-businesses` copied 50 times (600 policies), loaded, then
//! linted with every rule. `cargo bench -p goodwill-core --bench lint`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use goodwill_core::lint::{Settings, lint_pack};

const COPIES: usize = 50;

fn big_pack(dir: &Path) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/seed-businesses");
    std::fs::copy(example.join("goodwill.toml"), dir.join("goodwill.toml")).unwrap();
    let mut files = Vec::new();
    for business in std::fs::read_dir(example.join("policies")).unwrap() {
        for policy in std::fs::read_dir(business.unwrap().path()).unwrap() {
            files.push(policy.unwrap().path());
        }
    }
    files.sort();
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    for copy in 0..COPIES {
        for (i, file) in files.iter().enumerate() {
            let text = std::fs::read_to_string(file).unwrap();
            let text = text.replacen("\nid = \"", &format!("\nid = \"c{copy}-"), 1);
            std::fs::write(dir.join(format!("policies/{copy:03}-{i:02}.toml")), text).unwrap();
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    big_pack(dir.path());
    let pack = goodwill_core::load(dir.path()).expect("the copied pack loads");
    let settings = Settings::from_pack(&pack).unwrap();
    assert_eq!(pack.policies.len(), COPIES * 12);
    let mut group = c.benchmark_group("600 policies");
    group.bench_function("load", |b| {
        b.iter(|| goodwill_core::load(dir.path()).unwrap())
    });
    group.bench_function("lint, 15 rules", |b| b.iter(|| lint_pack(&pack, &settings)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
