//! Writes the tiny random-weight test model (seed 7) into the directory given as argument.
//! Used to regenerate `tests/fixtures/interop/reference.json` (see make_reference.py).

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: write_tiny_model DIR"))?;
    let tokenizer = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tokenizer/bert-base-chinese.json");
    privclause::fixtures::write_tiny_model(dir.as_ref(), &tokenizer, 7)?;
    println!("wrote the tiny model to {dir}");
    Ok(())
}
