// The lamina language: the whole surface of docs/language.md, "Lexical structure" and "Grammar".
//
// No embedded actions: everything that needs state lives in C++ (compiler/parse).
//  * NEWLINE tokens inside brackets are moved to the hidden channel by the parser's token
//    pass before parsing, so the rules below only see newlines that separate statements.
//  * Nesting depth is pre-scanned on the token list, because ANTLR has no recursion limit.
//  * Literal validity (number ranges, escapes) is checked by the AST builder.
// Every token has an explicit name so that diagnostics can map each one to plain words.
grammar Lamina;

// ---------------------------------------------------------------- top level

module      : sep* (item (sep+ item)*)? sep* EOF ;
// A top-level `lambda` is an expression statement; the AST builder makes it the entry point.
item        : funcDef | statement ;
sep         : NEWLINE | SEMI ;

// `def name(params) -> ann:` then simple statements; the first `return` ends the body,
// because indentation carries no meaning.
funcDef     : DEF NAME LPAREN paramList? RPAREN (ARROW returnType=test)? COLON sep*
              (statement sep+)* returnStmt ;
paramList   : param (COMMA param)* COMMA? ;
param       : NAME (COLON annotation=test)? (ASSIGN defaultValue=test)? ;
// Lambda parameters cannot be annotated: the `:` ends the parameter list.
lambdaDef   : LAMBDA lambdaParams? COLON body=test ;
lambdaParams: lambdaParam (COMMA lambdaParam)* COMMA? ;
lambdaParam : NAME (ASSIGN defaultValue=test)? ;

// ---------------------------------------------------------------- statements

// Targets are parsed as expressions and checked by the AST builder, which can then say
// "cannot assign to a call" instead of a bare syntax error.
statement   : testList (assignOp testList)? ;
assignOp    : ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN
            | DSLASH_ASSIGN | PERCENT_ASSIGN | DSTAR_ASSIGN | AT_ASSIGN
            | AMP_ASSIGN | PIPE_ASSIGN | CARET_ASSIGN | LSHIFT_ASSIGN | RSHIFT_ASSIGN ;
returnStmt  : RETURN testList ;

// ---------------------------------------------------------------- expressions
// Python's precedence, lowest first. Left-associative levels are loops, so a long
// `a + b + c` chain is flat in the parse tree.

testList    : test (COMMA test)* COMMA? ;
test        : value=orTest (IF condition=orTest ELSE orElse=test)?
            | lambdaDef ;
orTest      : andTest (OR andTest)* ;
andTest     : notTest (AND notTest)* ;
notTest     : NOT notTest | comparison ;
comparison  : bitOr (compOp bitOr)* ;
compOp      : LT | GT | EQ | NE | LE | GE | IS NOT? ;
bitOr       : bitXor (PIPE bitXor)* ;
bitXor      : bitAnd (CARET bitAnd)* ;
bitAnd      : shift (AMP shift)* ;
shift       : arith (shiftOp arith)* ;
shiftOp     : LSHIFT | RSHIFT ;
arith       : term (arithOp term)* ;
arithOp     : PLUS | MINUS ;
term        : factor (termOp factor)* ;
termOp      : STAR | SLASH | DSLASH | PERCENT | AT ;
factor      : (PLUS | MINUS | TILDE) factor | power ;
// `**` binds tighter than a unary minus on its left and is right-associative:
// `-x**2` is `-(x**2)`, `2**-1` is `2**(-1)`, `a**b**c` is `a**(b**c)`.
power       : atomExpr (DSTAR factor)? ;
atomExpr    : atom trailer* ;
trailer     : LPAREN argList? RPAREN
            | LBRACK subscriptList RBRACK
            | DOT NAME ;
atom        : LPAREN testList? RPAREN
            | LBRACK testList? RBRACK
            | NAME | NUMBER | STRING+ | ELLIPSIS | NONE | TRUE | FALSE ;

argList     : argument (COMMA argument)* COMMA? ;
argument    : NAME ASSIGN test | test ;
subscriptList : subscript (COMMA subscript)* COMMA? ;
subscript   : index=test | lower=test? COLON upper=test? (COLON step=test?)? ;

// ---------------------------------------------------------------- tokens

DEF     : 'def' ;
RETURN  : 'return' ;
LAMBDA  : 'lambda' ;
IF      : 'if' ;
ELSE    : 'else' ;
AND     : 'and' ;
OR      : 'or' ;
NOT     : 'not' ;
IS      : 'is' ;
NONE    : 'None' ;
TRUE    : 'True' ;
FALSE   : 'False' ;

LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACK  : '[' ;
RBRACK  : ']' ;
COMMA   : ',' ;
COLON   : ':' ;
SEMI    : ';' ;
ARROW   : '->' ;
ELLIPSIS: '...' ;
DOT     : '.' ;

PLUS_ASSIGN    : '+=' ;
MINUS_ASSIGN   : '-=' ;
STAR_ASSIGN    : '*=' ;
SLASH_ASSIGN   : '/=' ;
DSLASH_ASSIGN  : '//=' ;
PERCENT_ASSIGN : '%=' ;
DSTAR_ASSIGN   : '**=' ;
AT_ASSIGN      : '@=' ;
AMP_ASSIGN     : '&=' ;
PIPE_ASSIGN    : '|=' ;
CARET_ASSIGN   : '^=' ;
LSHIFT_ASSIGN  : '<<=' ;
RSHIFT_ASSIGN  : '>>=' ;

LSHIFT  : '<<' ;
RSHIFT  : '>>' ;
EQ      : '==' ;
NE      : '!=' ;
LE      : '<=' ;
GE      : '>=' ;
LT      : '<' ;
GT      : '>' ;
ASSIGN  : '=' ;

DSTAR   : '**' ;
DSLASH  : '//' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
PERCENT : '%' ;
AT      : '@' ;
AMP     : '&' ;
PIPE    : '|' ;
CARET   : '^' ;
TILDE   : '~' ;

// A number and any letters glued to it form one token, so `1e`, `12abc` or `0x1F` are
// reported as one malformed number by the AST builder rather than as two tokens.
NUMBER
    : DIGIT+ ('.' DIGIT*)? EXPONENT? NUMBER_TAIL*
    | '.' DIGIT+ EXPONENT? NUMBER_TAIL*
    ;

NAME    : ID_START ID_CONTINUE* ;

STRING
    : '"""' .*? '"""'
    | '\'\'\'' .*? '\'\'\''
    | '"' (~["\\\r\n] | ESCAPE)* '"'
    | '\'' (~['\\\r\n] | ESCAPE)* '\''
    ;

// Matches only where STRING cannot (longest match wins), so the builder can say where an
// unclosed string starts.
UNTERMINATED_STRING
    : '"""'
    | '\'\'\''
    | '"' (~["\\\r\n] | ESCAPE)*
    | '\'' (~['\\\r\n] | ESCAPE)*
    ;

NEWLINE : '\r'? '\n' | '\r' ;
COMMENT : '#' ~[\r\n]* -> channel(HIDDEN) ;
WS      : [ \t\f]+ -> skip ;
LINE_CONTINUATION : '\\' '\r'? '\n' -> skip ;

// Anything else becomes one token that the parser's token pass reports by name.
UNKNOWN_CHAR : . ;

fragment DIGIT       : [0-9] ;
// Digits are optional so that `1e+` is one malformed number, not `1e` and `+`.
fragment EXPONENT    : [eE] [+-]? DIGIT* ;
// A backslash escapes any character, a line break included (the string continues).
fragment ESCAPE      : '\\' ('\r'? '\n' | ~[\r\n]) ;
fragment ID_START    : [\p{Alpha}_] ;
fragment ID_CONTINUE : [\p{Alnum}_] ;
fragment NUMBER_TAIL : ID_CONTINUE | '.' DIGIT ;  // `1.2.3`, `12abc`: one malformed number
