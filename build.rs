//! Compiles our protocol definitions in `proto/` with protox (pure Rust), so building needs no
//! system `protoc`. Only servers are generated: Terraform is the client.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = ["tfplugin5.proto", "tfplugin6.proto", "plugin.proto"];
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_transport(false)
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    for file in files {
        println!("cargo:rerun-if-changed=proto/{file}");
    }
    Ok(())
}
