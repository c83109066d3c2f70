/// Inserting: the belts drive the item out of the jaws into the bin. It slides in along the floor
/// of the tool's column; closed bands stretch across it; a resting item in its way is pushed
/// deeper until it meets the back; an item too tall or too wide for the opening catches on the
/// frame. The belts slip when the item is held back harder than the grip allows.
extension SimWorld {
    /// The depth the item's leading face has reached, in the bin the arm is at.
    var heldLeadingMM: Double? {
        guard let held, held.isBetweenJaws else { return nil }
        return arm.advanceMM + held.travelMM
    }

    /// What holds the item back from going deeper: a force it can overcome, and a depth it cannot
    /// pass (nil = no hard stop).
    func insertResistance() -> (forceN: Double, limitMM: Double?, cause: String) {
        guard let held, let leading = heldLeadingMM, let index = armBinIndex else { return (0, nil, "") }
        let bin = pod.bins[index]
        let item = held.item
        let lowMM = arm.xMM - item.widthMM / 2, highMM = arm.xMM + item.widthMM / 2
        if item.heightMM > bin.heightMM || lowMM < -SimPhysics.wallBulgeMM || highMM > bin.widthMM + SimPhysics.wallBulgeMM {
            return (0, 0, "\(item.id) does not fit the opening of \(bin.name)")
        }
        var force = 0.0
        if leading > 0 {
            // The part inside slides on the bin floor.
            force += SimPhysics.floorFriction * item.weightN * min(1, leading / item.depthMM)
        }
        if !bin.bandsOpen, let band = bandForceN(on: item, leadingMM: leading, bin: bin) {
            force += band
        }
        guard let blocker = firstItem(in: bin, from: lowMM, to: highMM, aheadOfMM: leading) else {
            return (force, bin.depthMM + SimPhysics.wallBulgeMM, "back of \(bin.name)")
        }
        let placed = bin.contents[blocker]
        // Pushing it deeper needs its floor friction; it stops at the back wall.
        let roomMM = bin.depthMM - placed.backMM
        if roomMM > 1 {
            if leading >= placed.frontMM - 0.5 {
                force += SimPhysics.floorFriction * placed.item.weightN
            }
            return (force, placed.frontMM + roomMM, "")
        }
        return (force, placed.frontMM, "\(placed.item.id) at the back of \(bin.name)")
    }

    /// The belts share the push; each carries at most half the grip capacity before slipping.
    func beltLoadPerBelt() -> SimDriveLoad {
        guard let held, held.isBetweenJaws, held.gripForceN > 0 else { return .free }
        let resistance = insertResistance()
        var force = resistance.forceN
        if let limit = resistance.limitMM, let leading = heldLeadingMM, leading >= limit - 0.5 {
            force = .infinity
        }
        return SimDriveLoad(resistingForceN: min(force, held.beltGripCapacityN) / 2, blockedBelowMM: nil, blockedAboveMM: nil)
    }

    /// Moves the gripped item with the belts (or not, when they slip), pushes what is in its way,
    /// and hands it to the bin once it has left the jaws.
    func updateItemTravel() {
        let left = drives.leftBelt.positionMM, right = drives.rightBelt.positionMM
        let beltMovedMM = ((left - lastBeltPositionMM.left) + (right - lastBeltPositionMM.right)) / 2
        lastBeltPositionMM = (left, right)
        let beltsPushing = beltMovedMM > 0 || drives.leftBelt.isStalled || drives.rightBelt.isStalled
        guard beltMovedMM != 0 || beltsPushing, var current = held, current.isBetweenJaws, current.gripForceN > 0 else { return }
        let resistance = insertResistance()
        let slipping = resistance.forceN > current.beltGripCapacityN
        var newTravel = slipping ? current.travelMM : current.travelMM + beltMovedMM
        if let limit = resistance.limitMM, beltsPushing, arm.advanceMM + newTravel >= limit - 0.5 {
            newTravel = max(current.travelMM, limit - arm.advanceMM)
            if !current.jammed {
                current.jammed = true
                record(.jam, current.item.id, "blocked at depth \(whole(limit)) mm: \(resistance.cause)")
            }
            let pressN = current.beltGripCapacityN
            if pressN > current.item.fragilityN, !current.damaged {
                current.damaged = true
                record(.damage, current.item.id, "belts pressed it \(whole(pressN)) N > fragility \(whole(current.item.fragilityN)) N against \(resistance.cause)")
            }
        }
        // Backing out (negative travel) is allowed: the belts pull the item back into the jaws.
        newTravel = max(newTravel, 0)
        pushAhead(from: current.travelMM, to: newTravel, item: current.item)
        current.travelMM = newTravel
        held = current
        if current.travelMM >= current.item.depthMM, let index = armBinIndex {
            held = nil
            settle(current.item, inBin: index, leadingMM: arm.advanceMM + current.travelMM, xCentreMM: arm.xMM,
                   why: "driven out of the jaws by the belts")
        }
    }

    /// Index of the nearest resting item overlapping `lowMM...highMM` by more than a few mm whose
    /// near face is at or beyond `aheadOfMM - 1`.
    func firstItem(in bin: SimBin, from lowMM: Double, to highMM: Double, aheadOfMM: Double) -> Int? {
        var best: Int?
        for (index, placed) in bin.contents.enumerated()
        where placed.overlapMM(lowMM, highMM) > 5 && placed.frontMM >= aheadOfMM - 1 {
            if best == nil || placed.frontMM < bin.contents[best!].frontMM {
                best = index
            }
        }
        return best
    }

    /// Pushes the resting item in the way deeper as the leading face advances.
    private func pushAhead(from oldTravelMM: Double, to newTravelMM: Double, item: SimItem) {
        guard newTravelMM > oldTravelMM, let index = armBinIndex else { return }
        let leading = arm.advanceMM + newTravelMM
        let lowMM = arm.xMM - item.widthMM / 2, highMM = arm.xMM + item.widthMM / 2
        guard let blocker = firstItem(in: pod.bins[index], from: lowMM, to: highMM, aheadOfMM: arm.advanceMM + oldTravelMM),
              leading > pod.bins[index].contents[blocker].frontMM else { return }
        let maxFront = pod.bins[index].depthMM - pod.bins[index].contents[blocker].item.depthMM
        pod.bins[index].contents[blocker].frontMM = min(leading, maxFront)
    }

    /// Pull of the closed bands on an item whose leading face is at `leadingMM`: each band lower
    /// than the item stretches by how far the item went past the band plane.
    func bandForceN(on item: SimItem, leadingMM: Double, bin: SimBin) -> Double? {
        guard leadingMM > 0 else { return nil }
        var force = 0.0
        for height in bin.bandHeightsMM where height < item.heightMM {
            force += bandStiffnessNPerMM * min(leadingMM, item.depthMM)
        }
        return force > 0 ? force : nil
    }
}
