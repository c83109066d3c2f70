import Config
import HAL

// The EOAT's line devices as the control tick calls them: one named `let` property per signal,
// not an array. Swift brackets a call on an array element with a retain and a release of the
// device (an atomic pair per line per tick, 4 % of a simulated campaign's CPU); a call through a
// `let` property needs neither.

/// The input lines, in `EOATInputs` field order.
struct EOATInputLines {
    let estop: DigitalInput
    let itemInJaw: DigitalInput
    let itemAtInduct: DigitalInput
    let plankHome: DigitalInput
    let plankExtended: DigitalInput
    let jawOpen: DigitalInput
    let bandSeparatorDeployed: DigitalInput
    let armInPosition: DigitalInput

    /// `devices` must be the lines of `EOATInputs.signalNames`, in that order; throws `HALError`
    /// naming the first one out of place.
    init(_ devices: [DigitalInput]) throws(HALError) {
        try checkOrder(of: devices.map(\.name), expected: EOATInputs.signalNames, kind: "input")
        estop = devices[0]
        itemInJaw = devices[1]
        itemAtInduct = devices[2]
        plankHome = devices[3]
        plankExtended = devices[4]
        jawOpen = devices[5]
        bandSeparatorDeployed = devices[6]
        armInPosition = devices[7]
    }
}

/// The output lines, in `EOATOutputs` field order.
struct EOATOutputLines {
    let bandSeparatorSolenoid: DigitalOutput
    let driveEnable: DigitalOutput
    let towerLightRed: DigitalOutput
    let towerLightAmber: DigitalOutput
    let towerLightGreen: DigitalOutput
    let ready: DigitalOutput
    let done: DigitalOutput

    /// `devices` must be the lines of `EOATOutputs.signalNames`, in that order; throws `HALError`
    /// naming the first one out of place.
    init(_ devices: [DigitalOutput]) throws(HALError) {
        try checkOrder(of: devices.map(\.name), expected: EOATOutputs.signalNames, kind: "output")
        bandSeparatorSolenoid = devices[0]
        driveEnable = devices[1]
        towerLightRed = devices[2]
        towerLightAmber = devices[3]
        towerLightGreen = devices[4]
        ready = devices[5]
        done = devices[6]
    }
}

/// Throws `HALError` naming the first of `expected` that is not in its place in `names`.
private func checkOrder(of names: [String], expected: [String], kind: String) throws(HALError) {
    for (index, name) in expected.enumerated() where index >= names.count || names[index] != name {
        throw HALError(device: "control", cause: .invalidRequest("\(kind) \(index) must be \(name)"))
    }
}
