/// The version printed by `stowctl --version`.
enum StowctlVersion {
    static let string = "0.1.0"
}
