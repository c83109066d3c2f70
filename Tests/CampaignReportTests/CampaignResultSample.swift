import Control

extension CampaignResult {
    /// A campaign of 10,000 attempts with every kind of figure filled in, including a cause that
    /// tries to inject a script and one long enough to wrap at 80 columns.
    static func sample() -> CampaignResult {
        CampaignResult(
            campaignID: "sim-2026-01-seed42",
            seed: 42,
            world: "paper-2025",
            configFile: "firmware-config/sim.yaml",
            attempts: 10_000,
            counts: [.success: 8_612, .unproductive: 921, .amnesty: 372, .damage: 95],
            simulatedSeconds: 140_000,
            wallSeconds: 40,
            phaseSeconds: [
                "await_item": 20_000, "select_bin": 1_000, "grasp": 15_000, "approach": 25_000,
                "separate_bands": 10_000, "make_space": 20_000, "insert": 30_000, "retract": 12_000, "verify": 7_000,
            ],
            retries: 1_234,
            explorationCount: 456,
            faultsByKind: ["estop": 2, "drive-comm": 7],
            nonSuccessCauses: [
                "no bin fits 180 mm": 500,
                "jam: belt current 1700 mA > 1600 mA": 300,
                "item fell out: <script>alert(1)</script> & more": 372,
                "item damaged: plank force 92 N over the 80 N limit while sweeping the neighbouring items aside in bin 3C": 95,
                "retries exhausted after 3 bins": 121,
            ],
            controlLatenessBucketsMicroseconds: [10, 20, 50, 100, 200, 500, 1_000],
            controlLatenessCounts: [9_000_000, 800_000, 50_000, 1_200, 40, 3, 0],
            resumedFrom: 4_000
        )
    }

    /// The sample with one field changed.
    static func sample(_ change: (inout CampaignResult) -> Void) -> CampaignResult {
        var result = sample()
        change(&result)
        return result
    }
}
