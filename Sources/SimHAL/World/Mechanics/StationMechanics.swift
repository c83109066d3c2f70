import HAL

/// The band separator, the induct, and the tool leaving a bin.
extension SimWorld {
    /// Time for the induct conveyor to hand an item into the open jaws.
    static let inductTransferNanoseconds = UInt64(SimPhysics.inductTransferMS * 1_000_000)

    /// The deployed separator holds the bands of the bin in front of the tool open; retracting it
    /// or leaving the bin lets them snap back, and an item sticking out more than half its depth
    /// is pushed out by them.
    func updateBands() {
        let atBin = armBinIndex
        if let open = openBandsBin, separatorPosition < 0.5 || atBin != open {
            pod.bins[open].bandsOpen = false
            openBandsBin = nil
            record(.bandsClosed, pod.bins[open].name, "")
            var index = 0
            while index < pod.bins[open].contents.count {
                let placed = pod.bins[open].contents[index]
                if placed.frontMM + placed.item.depthMM / 2 < 0 {
                    pod.bins[open].contents.remove(at: index)
                    record(.contentFell, placed.item.id, "bands of \(pod.bins[open].name) closed on it sticking \(whole(-placed.frontMM)) mm out")
                } else {
                    index += 1
                }
            }
        }
        if openBandsBin == nil, let bin = atBin, separatorPosition >= 0.95, arm.advanceMM >= -30 {
            pod.bins[bin].bandsOpen = true
            openBandsBin = bin
            record(.bandsOpened, pod.bins[bin].name, "")
        }
    }

    /// The plank must be out of a bin before the arm leaves it; the arm does not check.
    func toolLeftBin(_ index: Int) {
        let tipMM = arm.advanceMM + drives.plank.positionMM + Self.plankTipOffsetMM
        if drives.plank.positionMM > 5, tipMM > -100 {
            record(.toolCollision, pod.bins[index].name, "arm left with the plank extended \(whole(drives.plank.positionMM)) mm")
        }
    }

    /// Items arrive at the induct one at a time; open jaws at the induct pose take the waiting one.
    func updateInduct() {
        // The cheap conditions first, in both places: reading the induct item or the held one
        // copies it (three strings), and they were a measurable share of a campaign.
        if time >= nextArrival, inductItem == nil {
            let next = itemStream.next()
            inductItem = next
            let item = next.item
            record(.itemArrived, item.id,
                   "\(item.kind.rawValue) \(whole(item.widthMM))x\(whole(item.heightMM))x\(whole(item.depthMM)) mm \(item.massKG.formatted2) kg")
        }
        if case let .transferring(until)? = held?.stage, time.nanoseconds >= until {
            held!.stage = .betweenJaws
            record(.itemInJaws, held!.item.id, "")
        }
        guard case .induct? = arm.station, arm.inPosition, held == nil, let widthMM = inductItem?.item.widthMM,
              drives.jaw.positionMM >= widthMM + 10, let waiting = inductItem else { return }
        held = HeldItem(item: waiting.item, catalog: waiting.catalog,
                        stage: .transferring(until: time.nanoseconds + Self.inductTransferNanoseconds))
        inductItem = nil
        nextArrival = time.adding(nanoseconds: Self.inductTransferNanoseconds + inductIntervalNanoseconds)
    }
}

extension Double {
    var formatted2: String {
        let hundredths = Int((self * 100).rounded())
        let fraction = abs(hundredths % 100)
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension SimWorld {
    /// Puts a chosen item at the induct instead of the stream's next one (scenarios, tests).
    public func presentAtInduct(_ item: SimItem) {
        let catalog = ItemCatalogEntry(id: item.id, kind: item.kind.rawValue, widthMM: item.widthMM,
                                       heightMM: item.heightMM, depthMM: item.depthMM, massKG: item.massKG)
        inductItem = (item, catalog)
        record(.itemArrived, item.id, "presented: \(item.kind.rawValue) \(whole(item.widthMM))x\(whole(item.heightMM))x\(whole(item.depthMM)) mm")
    }
}
