fn main() -> std::process::ExitCode {
    rondom::cli::main()
}
