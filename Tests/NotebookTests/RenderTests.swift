import Foundation
import Testing
@testable import Notebook

/// Every committed figure, and one figure of each kind, rendered by a real SVG renderer:
/// `rsvg-convert` (librsvg), which `make test` installs. Missing, the tests fail (not skip).
@Suite struct RenderTests {
    /// The path of `rsvg-convert` on PATH, if any.
    static let renderer: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/rsvg-convert" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Rendering {
        let status: Int32
        let stderr: String
        let png: Data
    }

    /// Renders `svg` to PNG with rsvg-convert.
    static func render(_ svg: String) throws -> Rendering {
        let renderer = try #require(RenderTests.renderer,
            "rsvg-convert is not installed: run `make test`, which installs it (Debian: librsvg2-bin; macOS: brew install librsvg)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("figure.svg"), output = directory.appendingPathComponent("figure.png")
        try Data(svg.utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: renderer)
        process.arguments = ["--format", "png", "--output", output.path, input.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Rendering(status: process.terminationStatus, stderr: stderr,
                         png: FileManager.default.contents(atPath: output.path) ?? Data())
    }

    /// Width and height from a PNG's IHDR chunk, or nil when `png` is not a PNG.
    static func size(ofPNG png: Data) -> (Int, Int)? {
        let bytes = [UInt8](png)
        guard bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        func be32(_ i: Int) -> Int { bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    /// Renders `svg` and checks the result: exit 0, nothing on stderr, a PNG of the canvas'
    /// size, and more bytes than a blank canvas of that size compresses to (an image whose
    /// drawing failed is nearly blank).
    func expectRenders(_ svg: String, named name: String) throws {
        let (width, height, _) = try TextFit.elements(in: svg)
        let rendering = try RenderTests.render(svg)
        #expect(rendering.status == 0, "\(name): rsvg-convert exited \(rendering.status): \(rendering.stderr)")
        #expect(rendering.stderr.isEmpty, "\(name): rsvg-convert said: \(rendering.stderr)")
        let size = RenderTests.size(ofPNG: rendering.png)
        #expect(size.map { $0 == (Int(width.rounded(.up)), Int(height.rounded(.up))) } == true,
                "\(name): PNG size \(String(describing: size)) for a \(width) × \(height) canvas (\(rendering.png.count) bytes)")
        let blank = try RenderTests.render(SVG(width: width, height: height).render())
        #expect(rendering.png.count > 2 * blank.png.count,
                "\(name): \(rendering.png.count) PNG bytes, hardly more than a blank canvas (\(blank.png.count))")
    }

    @Test func rendererIsInstalled() {
        #expect(RenderTests.renderer != nil,
                "rsvg-convert is not installed: run `make test`, which installs it (Debian: librsvg2-bin; macOS: brew install librsvg)")
    }

    @Test func everyCommittedFigureRenders() throws {
        let files = try TextFitTests.committedFigures()
        #expect(!files.isEmpty)
        for file in files {
            try expectRenders(String(contentsOf: file, encoding: .utf8), named: file.lastPathComponent)
        }
    }

    @Test func everyFigureKindRenders() throws {
        for (name, figure) in FigureTests.figures() + TextFitTests.longLabelFigures() {
            try expectRenders(figure.svg(), named: name)
        }
    }

    @Test func aBrokenDocumentIsCaught() throws {
        let rendering = try RenderTests.render("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect")
        #expect(rendering.status != 0 || rendering.png.isEmpty, "rsvg-convert accepted a truncated document")
    }
}
