/// Making space: the plank is a wedge as wide as the tool. Extending it into the bin pushes each
/// resting item in the tool's column sideways, out of the column, toward the wall it is nearer.
/// Items beside it are shoved along; the fabric wall bulges a little and then goes taut. The push
/// costs floor friction of everything that moves plus the bulging wall; a taut wall stops the
/// plank (the drive stalls). A push harder than an item's fragility damages it; an item that
/// sticks out of the bin front by more than half its depth and is shoved falls out.
extension SimWorld {
    /// Where the plank tip sits relative to the tool tip at plank position 0.
    static let plankTipOffsetMM = -20.0

    /// Depth of the plank tip in the bin the arm is at.
    var plankTipMM: Double {
        arm.advanceMM + drives.plank.positionMM + Self.plankTipOffsetMM
    }

    /// The span across the bin the tool (and its plank) occupies.
    var toolColumnMM: (low: Double, high: Double) {
        let half = drives.jaw.positionMM / 2 + SimPhysics.paddleThicknessMM
        return (arm.xMM - half, arm.xMM + half)
    }

    /// The contents resist the plank going in, never coming out.
    func plankLoad() -> SimDriveLoad {
        guard let index = armBinIndex else { return .free }
        let targetMM = Double(drives.plank.read(.targetPosition)) / drives.plank.parameters.countsPerMM
        let extending = drives.plank.velocityMMPerS > 0.01 || targetMM > drives.plank.positionMM + 0.01
        guard extending else { return .free }
        let bin = pod.bins[index]
        let tip = plankTipMM
        let positionAtBackMM = drives.plank.positionMM + (bin.depthMM + SimPhysics.wallBulgeMM - tip)
        var load = SimDriveLoad(resistingForceN: 0, blockedBelowMM: nil, blockedAboveMM: positionAtBackMM)
        let column = toolColumnMM
        for index in bin.contents.indices {
            let placed = bin.contents[index]
            guard placed.overlapMM(column.low, column.high) > 0, placed.frontMM < tip + 1, tip > 0 else { continue }
            let push = sidePush(bin: bin, index: index, column: column)
            if push.blocked {
                load.blockedAboveMM = min(load.blockedAboveMM ?? .infinity, drives.plank.positionMM)
            }
            load.resistingForceN += push.forceN
        }
        return load
    }

    func updatePlankPush() {
        guard let binIndex = armBinIndex else { return }
        let tip = plankTipMM
        guard tip > 0 else { return }
        let column = toolColumnMM
        var index = 0
        while index < pod.bins[binIndex].contents.count {
            let placed = pod.bins[binIndex].contents[index]
            guard placed.overlapMM(column.low, column.high) > 0, placed.frontMM < tip + 1 else {
                index += 1
                continue
            }
            let push = sidePush(bin: pod.bins[binIndex], index: index, column: column)
            // The wedge moves the item sideways as far as the tip has gone past its near face.
            let shiftMM = min(push.neededMM, tip - placed.frontMM, push.roomMM)
            if shiftMM > 0 {
                shove(binIndex: binIndex, index: index, towardLeft: push.towardLeft, byMM: shiftMM)
            }
            // The row feels what the plank actually delivers (up to its current limit when stalled).
            damageCheck(binIndex: binIndex, forceN: drives.plank.forceN, towardLeft: push.towardLeft, from: index)
            if fallsOutWhenShoved(pod.bins[binIndex].contents[index]) {
                let fallen = pod.bins[binIndex].contents.remove(at: index)
                record(.contentFell, fallen.item.id,
                       "shoved by the plank while sticking \(whole(-fallen.frontMM)) mm out of \(pod.bins[binIndex].name)")
                continue
            }
            index += 1
        }
    }

    private func fallsOutWhenShoved(_ placed: PlacedItem) -> Bool {
        placed.frontMM + placed.item.depthMM / 2 < 0
    }

    /// What it takes to push item `index` out of the column: which way, how far, the room on that
    /// side (including the wall's bulge) and the force (friction of what moves, plus the wall).
    func sidePush(bin: SimBin, index: Int, column: (low: Double, high: Double))
        -> (towardLeft: Bool, neededMM: Double, roomMM: Double, forceN: Double, blocked: Bool) {
        let placed = bin.contents[index]
        let towardLeft = placed.centreXMM < (column.low + column.high) / 2
        let neededMM = towardLeft ? placed.rightMM - column.low : column.high - placed.xMM
        // Widths of the items on that side; the free floor left over is the room.
        var sideWidthMM = 0.0
        var movingMassKG = placed.item.massKG
        for other in bin.contents.indices where other != index {
            let neighbour = bin.contents[other]
            let onSide = towardLeft ? neighbour.centreXMM < placed.centreXMM : neighbour.centreXMM > placed.centreXMM
            guard onSide else { continue }
            sideWidthMM += neighbour.item.widthMM
            let gapMM = towardLeft ? placed.xMM - neighbour.rightMM : neighbour.xMM - placed.rightMM
            if gapMM < neededMM {
                movingMassKG += neighbour.item.massKG
            }
        }
        let edgeMM = towardLeft ? placed.xMM : bin.widthMM - placed.rightMM
        let freeMM = edgeMM - sideWidthMM
        let bulgeMM = max(0, neededMM - freeMM)
        var force = SimPhysics.floorFriction * movingMassKG * SimPhysics.gravityMPerS2
        force += min(bulgeMM, SimPhysics.wallBulgeMM) * SimPhysics.wallStiffnessNPerMM
        let blocked = bulgeMM > SimPhysics.wallBulgeMM
        if blocked {
            force = max(force, SimPhysics.tautWallN)
        }
        return (towardLeft, max(0, neededMM), max(0, freeMM + SimPhysics.wallBulgeMM), force, blocked)
    }

    /// Moves item `index` sideways and packs its neighbours on that side against it, nearest first.
    private func shove(binIndex: Int, index: Int, towardLeft: Bool, byMM shiftMM: Double) {
        let sign = towardLeft ? -1.0 : 1.0
        pod.bins[binIndex].contents[index].xMM += sign * shiftMM
        var edgeMM = towardLeft ? pod.bins[binIndex].contents[index].xMM : pod.bins[binIndex].contents[index].rightMM
        var lastCentreMM = pod.bins[binIndex].contents[index].centreXMM
        // Walk outward from the shoved item without sorting (no allocation): each round picks the
        // nearest neighbour beyond the last one.
        for _ in pod.bins[binIndex].contents.indices {
            var nearest: Int?
            for other in pod.bins[binIndex].contents.indices where other != index {
                let centre = pod.bins[binIndex].contents[other].centreXMM
                let beyond = towardLeft ? centre < lastCentreMM : centre > lastCentreMM
                guard beyond else { continue }
                if let best = nearest {
                    let bestCentre = pod.bins[binIndex].contents[best].centreXMM
                    if towardLeft ? centre > bestCentre : centre < bestCentre { nearest = other }
                } else {
                    nearest = other
                }
            }
            guard let next = nearest else { break }
            let neighbour = pod.bins[binIndex].contents[next]
            if towardLeft, neighbour.rightMM > edgeMM {
                pod.bins[binIndex].contents[next].xMM = edgeMM - neighbour.item.widthMM
            } else if !towardLeft, neighbour.xMM < edgeMM {
                pod.bins[binIndex].contents[next].xMM = edgeMM
            }
            let moved = pod.bins[binIndex].contents[next]
            edgeMM = towardLeft ? moved.xMM : moved.rightMM
            lastCentreMM = moved.centreXMM
        }
    }

    /// Every item in the pushed row feels the push force.
    private func damageCheck(binIndex: Int, forceN: Double, towardLeft: Bool, from index: Int) {
        let pushedCentre = pod.bins[binIndex].contents[index].centreXMM
        for other in pod.bins[binIndex].contents.indices {
            let placed = pod.bins[binIndex].contents[other]
            let inRow = other == index || (towardLeft ? placed.centreXMM < pushedCentre : placed.centreXMM > pushedCentre)
            guard inRow, forceN > placed.item.fragilityN, !damagedContent.contains(placed.item.id) else { continue }
            damagedContent.insert(placed.item.id)
            record(.damage, placed.item.id,
                   "plank pushed \(whole(forceN)) N > fragility \(whole(placed.item.fragilityN)) N in \(pod.bins[binIndex].name)")
        }
    }
}
