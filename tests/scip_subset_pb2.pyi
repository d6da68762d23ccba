from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Diagnostic(_message.Message):
    __slots__ = ["code", "message", "severity", "source"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    severity: int
    source: str
    def __init__(self, severity: _Optional[int] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ["language", "occurrences", "position_encoding", "relative_path", "symbols", "text"]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    POSITION_ENCODING_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_PATH_FIELD_NUMBER: _ClassVar[int]
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    language: str
    occurrences: _containers.RepeatedCompositeFieldContainer[Occurrence]
    position_encoding: int
    relative_path: str
    symbols: _containers.RepeatedCompositeFieldContainer[SymbolInformation]
    text: str
    def __init__(self, relative_path: _Optional[str] = ..., occurrences: _Optional[_Iterable[_Union[Occurrence, _Mapping]]] = ..., symbols: _Optional[_Iterable[_Union[SymbolInformation, _Mapping]]] = ..., language: _Optional[str] = ..., text: _Optional[str] = ..., position_encoding: _Optional[int] = ...) -> None: ...

class Index(_message.Message):
    __slots__ = ["documents", "external_symbols", "metadata"]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    external_symbols: _containers.RepeatedCompositeFieldContainer[SymbolInformation]
    metadata: Metadata
    def __init__(self, metadata: _Optional[_Union[Metadata, _Mapping]] = ..., documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., external_symbols: _Optional[_Iterable[_Union[SymbolInformation, _Mapping]]] = ...) -> None: ...

class Metadata(_message.Message):
    __slots__ = ["project_root", "text_document_encoding", "tool_info", "version"]
    PROJECT_ROOT_FIELD_NUMBER: _ClassVar[int]
    TEXT_DOCUMENT_ENCODING_FIELD_NUMBER: _ClassVar[int]
    TOOL_INFO_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    project_root: str
    text_document_encoding: int
    tool_info: ToolInfo
    version: int
    def __init__(self, version: _Optional[int] = ..., tool_info: _Optional[_Union[ToolInfo, _Mapping]] = ..., project_root: _Optional[str] = ..., text_document_encoding: _Optional[int] = ...) -> None: ...

class MultiLineRange(_message.Message):
    __slots__ = ["end_character", "end_line", "start_character", "start_line"]
    END_CHARACTER_FIELD_NUMBER: _ClassVar[int]
    END_LINE_FIELD_NUMBER: _ClassVar[int]
    START_CHARACTER_FIELD_NUMBER: _ClassVar[int]
    START_LINE_FIELD_NUMBER: _ClassVar[int]
    end_character: int
    end_line: int
    start_character: int
    start_line: int
    def __init__(self, start_line: _Optional[int] = ..., start_character: _Optional[int] = ..., end_line: _Optional[int] = ..., end_character: _Optional[int] = ...) -> None: ...

class Occurrence(_message.Message):
    __slots__ = ["diagnostics", "enclosing_range", "multi_line_enclosing_range", "multi_line_range", "override_documentation", "range", "single_line_enclosing_range", "single_line_range", "symbol", "symbol_roles", "syntax_kind"]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    ENCLOSING_RANGE_FIELD_NUMBER: _ClassVar[int]
    MULTI_LINE_ENCLOSING_RANGE_FIELD_NUMBER: _ClassVar[int]
    MULTI_LINE_RANGE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_DOCUMENTATION_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    SINGLE_LINE_ENCLOSING_RANGE_FIELD_NUMBER: _ClassVar[int]
    SINGLE_LINE_RANGE_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_ROLES_FIELD_NUMBER: _ClassVar[int]
    SYNTAX_KIND_FIELD_NUMBER: _ClassVar[int]
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    enclosing_range: _containers.RepeatedScalarFieldContainer[int]
    multi_line_enclosing_range: MultiLineRange
    multi_line_range: MultiLineRange
    override_documentation: _containers.RepeatedScalarFieldContainer[str]
    range: _containers.RepeatedScalarFieldContainer[int]
    single_line_enclosing_range: SingleLineRange
    single_line_range: SingleLineRange
    symbol: str
    symbol_roles: int
    syntax_kind: int
    def __init__(self, range: _Optional[_Iterable[int]] = ..., symbol: _Optional[str] = ..., symbol_roles: _Optional[int] = ..., override_documentation: _Optional[_Iterable[str]] = ..., syntax_kind: _Optional[int] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ..., enclosing_range: _Optional[_Iterable[int]] = ..., single_line_range: _Optional[_Union[SingleLineRange, _Mapping]] = ..., multi_line_range: _Optional[_Union[MultiLineRange, _Mapping]] = ..., single_line_enclosing_range: _Optional[_Union[SingleLineRange, _Mapping]] = ..., multi_line_enclosing_range: _Optional[_Union[MultiLineRange, _Mapping]] = ...) -> None: ...

class Relationship(_message.Message):
    __slots__ = ["is_definition", "is_implementation", "is_reference", "is_type_definition", "symbol"]
    IS_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    IS_IMPLEMENTATION_FIELD_NUMBER: _ClassVar[int]
    IS_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    IS_TYPE_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    is_definition: bool
    is_implementation: bool
    is_reference: bool
    is_type_definition: bool
    symbol: str
    def __init__(self, symbol: _Optional[str] = ..., is_reference: bool = ..., is_implementation: bool = ..., is_type_definition: bool = ..., is_definition: bool = ...) -> None: ...

class SingleLineRange(_message.Message):
    __slots__ = ["end_character", "line", "start_character"]
    END_CHARACTER_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    START_CHARACTER_FIELD_NUMBER: _ClassVar[int]
    end_character: int
    line: int
    start_character: int
    def __init__(self, line: _Optional[int] = ..., start_character: _Optional[int] = ..., end_character: _Optional[int] = ...) -> None: ...

class SymbolInformation(_message.Message):
    __slots__ = ["display_name", "documentation", "enclosing_symbol", "kind", "relationships", "signature_documentation", "symbol"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTATION_FIELD_NUMBER: _ClassVar[int]
    ENCLOSING_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_DOCUMENTATION_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    documentation: _containers.RepeatedScalarFieldContainer[str]
    enclosing_symbol: str
    kind: int
    relationships: _containers.RepeatedCompositeFieldContainer[Relationship]
    signature_documentation: Document
    symbol: str
    def __init__(self, symbol: _Optional[str] = ..., documentation: _Optional[_Iterable[str]] = ..., relationships: _Optional[_Iterable[_Union[Relationship, _Mapping]]] = ..., kind: _Optional[int] = ..., display_name: _Optional[str] = ..., signature_documentation: _Optional[_Union[Document, _Mapping]] = ..., enclosing_symbol: _Optional[str] = ...) -> None: ...

class ToolInfo(_message.Message):
    __slots__ = ["arguments", "name", "version"]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    arguments: _containers.RepeatedScalarFieldContainer[str]
    name: str
    version: str
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., arguments: _Optional[_Iterable[str]] = ...) -> None: ...
