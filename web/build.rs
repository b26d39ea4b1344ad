//! Packs the built-in names for the WebAssembly module (see src/packed.rs): 232 KB of text become
//! 155 KB in the module's data.

#[path = "src/packed.rs"]
#[allow(dead_code)] // the build packs; the crate unpacks
mod packed;

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let names = packed::pack(microgpt::data::BUILTIN_NAMES);
    std::fs::write(out.join("names.packed"), names).expect("OUT_DIR is writable");
}
