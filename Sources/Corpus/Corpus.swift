import Foundation

/// The real text the package's language-model chapters train on: quotations people wrote
/// (Debian's `fortunes`) and the King James Version's Book of Proverbs (Debian's
/// `bible-kjv-text`), committed as a snapshot so every machine reads the same bytes.
///
/// ```
/// collection   what                                       role
/// source       every prose category of fortunes but one   pre-training
/// startrek     fortunes' startrek category (held out)      a target voice
/// proverbs     KJV Proverbs, one verse per document        a target voice
/// ```
/// Each collection is split by document position i: i mod 10 = 8 → validation, 9 → test, else
/// train (`Sources/Corpus/README.md` has the provenance, licences, hashes and the extraction
/// script).
public enum Corpus {
    /// The documents of one split of one collection, in extraction order.
    /// - Throws: ``CorpusError`` when the snapshot is missing or malformed.
    public static func documents(_ collection: CorpusCollection, _ split: CorpusSplit) throws(CorpusError) -> [String] {
        let text = try self.text(collection, split)
        guard text.hasSuffix(documentEnd) else { throw .malformed(fileName(collection, split), "does not end with a line holding only %") }
        let documents = text.dropLast(documentEnd.count).components(separatedBy: documentEnd)
        if let empty = documents.firstIndex(where: \.isEmpty) {
            throw .malformed(fileName(collection, split), "document \(empty) is empty")
        }
        return documents
    }

    /// The raw file of one split: every document followed by a line holding only `%`.
    /// - Throws: ``CorpusError`` when the file is missing or not UTF-8.
    public static func text(_ collection: CorpusCollection, _ split: CorpusSplit) throws(CorpusError) -> String {
        let name = fileName(collection, split)
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Text"),
              let data = try? Data(contentsOf: url) else { throw .missingFile(name) }
        guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(name) }
        return text
    }

    /// The file name of one split, e.g. `proverbs.validation.txt`.
    public static func fileName(_ collection: CorpusCollection, _ split: CorpusSplit) -> String {
        "\(collection.rawValue).\(split.rawValue).txt"
    }

    /// The split a document at position `index` (0-based, in extraction order) belongs to.
    public static func split(ofDocumentAt index: Int) -> CorpusSplit {
        switch index % 10 {
        case 8: .validation
        case 9: .test
        default: .train
        }
    }

    static let documentEnd = "\n%\n"
}

/// A collection of the snapshot.
public enum CorpusCollection: String, CaseIterable, Sendable {
    /// The pre-training text: fortunes' prose categories, minus the held-out voice.
    case source
    /// fortunes' `startrek` category: quotations from the original series, with attributions.
    case startrek
    /// The King James Version's Book of Proverbs, one verse per document.
    case proverbs
}

/// Train, validation (for tuning) and test (for reporting) documents.
public enum CorpusSplit: String, CaseIterable, Sendable {
    case train, validation, test
}

/// Why the snapshot could not be read.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
    /// The file is not among the target's resources.
    case missingFile(String)
    /// The file is not valid UTF-8.
    case notUTF8(String)
    /// The file breaks the format (file, what is wrong).
    case malformed(String, String)

    public var description: String {
        switch self {
        case .missingFile(let name): "corpus file '\(name)' is missing from the package's resources"
        case .notUTF8(let name): "corpus file '\(name)' is not valid UTF-8"
        case .malformed(let name, let why): "corpus file '\(name)': \(why)"
        }
    }
}
