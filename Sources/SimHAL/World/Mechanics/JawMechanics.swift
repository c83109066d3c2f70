import HAL

/// Gripping: the jaws squeeze the item like a spring; too much force damages it, too little lets
/// it slip out, and where it slips out decides whether it is placed, sidelined or falls.
extension SimWorld {
    /// The item is a spring between the paddles: it resists closing jaws, presses back on jaws
    /// that hold still (holding current), and the jaws cannot squeeze it harder than the drive's
    /// current limit pushes: they stop where the squeeze equals the force the motor can deliver.
    /// (Without that stop the grip was read from a position the motor could not have held, and
    /// the world reported grips of 100-500 N from a jaw limited to about 70 N.)
    func jawLoad() -> SimDriveLoad {
        guard let held, held.isBetweenJaws else { return .free }
        let jaw = drives.jaw
        let targetMM = Double(jaw.read(.targetPosition)) / jaw.parameters.countsPerMM
        let squeezeN = held.squeezeForceN(jawOpeningMM: jaw.positionMM)
        let closing = targetMM < jaw.positionMM + 0.01
        return SimDriveLoad(resistingForceN: closing ? squeezeN : 0,
                            blockedBelowMM: held.jawOpeningMM(squeezeForceN: jaw.parameters.availableForceN),
                            blockedAboveMM: nil, holdingForceN: squeezeN)
    }

    func updateGrip() {
        guard held?.isBetweenJaws == true, var current = held else { return }
        current.gripForceN = current.squeezeForceN(jawOpeningMM: drives.jaw.positionMM)
        if current.gripForceN > current.item.fragilityN, !current.damaged {
            current.damaged = true
            record(.damage, current.item.id, "jaw grip \(whole(current.gripForceN)) N > fragility \(whole(current.item.fragilityN)) N")
        }
        held = current
        let supported = arm.station == .induct && current.travelMM == 0
        let holdsWeight = current.beltGripCapacityN >= current.item.weightN
        if !supported, !holdsWeight {
            release(current, why: "grip \(whole(current.gripForceN)) N cannot hold \(whole(current.item.weightN)) N")
        }
    }

    /// The jaws let go of the item wherever the tool is.
    func release(_ released: HeldItem, why: String) {
        held = nil
        let item = released.item
        switch arm.station {
        case .sideline?:
            record(.itemSidelined, item.id, why)
        case .bin(let name)?:
            guard let index = pod.index(ofBin: name) else { return }
            settle(item, inBin: index, leadingMM: arm.advanceMM + released.travelMM, xCentreMM: arm.xMM, why: why)
        case .induct?:
            // Back onto the induct conveyor, to be handed over again.
            inductItem = (item, released.catalog)
            record(.itemReturned, item.id, why)
        case nil:
            record(.itemFell, item.id, "dropped while the arm was moving: \(why)")
        }
    }

    /// An item let go at a bin stays if its centre is inside and nothing pushes it out.
    /// `leadingMM` is the depth of its leading (deepest) face.
    func settle(_ item: SimItem, inBin index: Int, leadingMM: Double, xCentreMM: Double, why: String) {
        let bin = pod.bins[index]
        let centreMM = leadingMM - item.depthMM / 2
        guard centreMM > 0 else {
            record(.itemFell, item.id, "let go with its centre \(whole(-centreMM)) mm outside bin \(bin.name)")
            return
        }
        if !bin.bandsOpen, let bandForce = bandForceN(on: item, leadingMM: leadingMM, bin: bin),
           bandForce > SimPhysics.floorFriction * item.weightN {
            record(.itemFell, item.id, "bands not separated at \(bin.name): band force \(whole(bandForce)) N pushed it out")
            return
        }
        let nearMM = leadingMM - item.depthMM
        let placed = PlacedItem(item: item, xMM: xCentreMM - item.widthMM / 2, frontMM: nearMM)
        pod.bins[index].contents.append(placed)
        let protrusion = nearMM < 0 ? ", protruding \(whole(-nearMM)) mm" : ""
        record(.itemPlaced, item.id, "in \(bin.name) at x \(whole(placed.xMM)) mm, depth \(whole(nearMM)) mm\(protrusion)")
    }
}

func whole(_ value: Double) -> String {
    String(Int(value.rounded()))
}
