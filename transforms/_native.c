/* Hot text loops of the extraction, in C. Optional: every function here has a Python definition that
 * gives the same result (transforms/actors.py and transforms/arabic.py; transforms/native.py picks),
 * used where this module is not built. tests/test_native.py checks that both agree.
 *
 * Character classes are CPython's own, the ones `re` uses for a str pattern: a word character is
 * Py_UNICODE_ISALNUM or '_' (`\w`), a blank is Py_UNICODE_ISSPACE (`\s`).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The two classes of every code point below 65,536, read once from CPython's tables when the module is
 * loaded: a table look-up instead of a call into the Unicode database per character. */
#define WORD_CHAR 1
#define BLANK_CHAR 2
static unsigned char bmp_classes[65536];

static void
fill_classes(void)
{
    for (Py_UCS4 ch = 0; ch < 65536; ch++) {
        bmp_classes[ch] = (ch == '_' || Py_UNICODE_ISALNUM(ch) ? WORD_CHAR : 0)
                          | (Py_UNICODE_ISSPACE(ch) ? BLANK_CHAR : 0);
    }
}

static inline int
is_word(Py_UCS4 ch)
{
    return ch < 65536 ? bmp_classes[ch] & WORD_CHAR : ch == '_' || Py_UNICODE_ISALNUM(ch);
}

static inline int
is_blank(Py_UCS4 ch)
{
    return ch < 65536 ? bmp_classes[ch] & BLANK_CHAR : Py_UNICODE_ISSPACE(ch);
}

/* Shared int objects for positions 0, 1, 2, ... up to a bound: token offsets are mostly above the 256
 * small ints CPython keeps, and allocating two new ints per token was a quarter of the tokeniser's
 * time. Positions past the bound (texts longer than news articles) get new ints. */
#define HELD_POSITIONS_MAX (1 << 18)
static PyObject **positions = NULL;
static Py_ssize_t positions_held = 0;

static int
hold_positions(Py_ssize_t count)
{
    count = Py_MIN(count, HELD_POSITIONS_MAX);
    if (count <= positions_held) {
        return 0;
    }
    Py_ssize_t wanted = Py_MIN(Py_MAX(count, Py_MAX(2 * positions_held, 65536)), HELD_POSITIONS_MAX);
    PyObject **grown = PyMem_Realloc(positions, (size_t)wanted * sizeof(PyObject *));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    positions = grown;
    for (Py_ssize_t value = positions_held; value < wanted; value++) {
        PyObject *number = PyLong_FromSsize_t(value);
        if (number == NULL) {
            return -1;  /* positions_held counts only the filled entries */
        }
        positions[value] = number;
        positions_held = value + 1;
    }
    return 0;
}

/* A new reference to the int `value` (NULL with an exception if one cannot be made). */
static inline PyObject *
position(Py_ssize_t value)
{
    return value < positions_held ? Py_NewRef(positions[value]) : PyLong_FromSsize_t(value);
}

/* Recently made words, by a hash of their characters: news repeats its words, and a word returned
 * again is the same str object, not a new one, whose hash CPython has already computed for the
 * dictionary lookups that follow. A slot holds the last word that hashed to it. */
#define WORD_SLOTS (1 << 16)
static PyObject *word_slots[WORD_SLOTS];

static PyObject *
word(PyObject *text, int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    Py_uhash_t hash = 2166136261u;
    for (Py_ssize_t index = start; index < end; index++) {
        hash = (hash ^ PyUnicode_READ(kind, data, index)) * 16777619u;
    }
    PyObject **slot = &word_slots[hash & (WORD_SLOTS - 1)];
    PyObject *held = *slot;
    if (held != NULL && PyUnicode_GET_LENGTH(held) == end - start) {
        const int held_kind = PyUnicode_KIND(held);
        const void *held_data = PyUnicode_DATA(held);
        Py_ssize_t index = start;
        while (index < end
               && PyUnicode_READ(held_kind, held_data, index - start) == PyUnicode_READ(kind, data, index)) {
            index++;
        }
        if (index == end) {
            return Py_NewRef(held);
        }
    }
    PyObject *made = PyUnicode_Substring(text, start, end);
    if (made != NULL) {
        Py_XSETREF(*slot, Py_NewRef(made));
    }
    return made;
}

/* Append a new reference to `list` and drop ours; -1 on failure (the reference is dropped too). */
static inline int
append_new(PyObject *list, PyObject *item)
{
    if (item == NULL) {
        return -1;
    }
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

/* A str argument's characters; -1 with a TypeError naming `function` when it is not a str. */
typedef struct {
    Py_ssize_t length;
    int kind;
    const void *data;
} Text;

static int
text_of(PyObject *object, const char *function, Text *text)
{
    if (!PyUnicode_Check(object)) {
        PyErr_Format(PyExc_TypeError, "%s() expects str, not %.100s", function, Py_TYPE(object)->tp_name);
        return -1;
    }
    text->length = PyUnicode_GET_LENGTH(object);
    text->kind = PyUnicode_KIND(object);
    text->data = PyUnicode_DATA(object);
    return 0;
}

PyDoc_STRVAR(token_spans_doc,
"token_spans(text, /)\n--\n\n"
"Token starts, ends and words of `text`: runs of word characters, and every other character that\n"
"is not blank on its own. The same as splitting on the pattern (\\w+|[^\\w\\s]).");

static PyObject *
token_spans(PyObject *module, PyObject *text)
{
    Text t;
    if (text_of(text, "token_spans", &t) < 0 || hold_positions(t.length + 1) < 0) {
        return NULL;
    }
    const Py_ssize_t length = t.length;
    const int kind = t.kind;
    const void *data = t.data;
    PyObject *starts = PyList_New(0);
    PyObject *ends = PyList_New(0);
    PyObject *words = PyList_New(0);
    if (starts == NULL || ends == NULL || words == NULL) {
        goto error;
    }
    Py_ssize_t index = 0;
    while (index < length) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, index);
        Py_ssize_t end = index + 1;
        if (is_word(ch)) {
            while (end < length && is_word(PyUnicode_READ(kind, data, end))) {
                end++;
            }
        }
        else if (is_blank(ch)) {
            index = end;
            continue;
        }
        if (append_new(starts, position(index)) < 0
            || append_new(ends, position(end)) < 0
            || append_new(words, word(text, kind, data, index, end)) < 0) {
            goto error;
        }
        index = end;
    }
    PyObject *result = PyTuple_Pack(3, starts, ends, words);
    Py_DECREF(starts);
    Py_DECREF(ends);
    Py_DECREF(words);
    return result;

error:
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(words);
    return NULL;
}

/* ---- character maps with offsets ------------------------------------------------------------ */

/* A growing buffer of output characters, each with the index of the input character it came from. */
typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t *sources;
    Py_ssize_t length;
    Py_ssize_t capacity;
} Output;

static int
output_reserve(Output *output, Py_ssize_t more)
{
    if (output->length + more <= output->capacity) {
        return 0;
    }
    Py_ssize_t capacity = Py_MAX(output->length + more, 2 * output->capacity);
    Py_UCS4 *chars = PyMem_Realloc(output->chars, (size_t)capacity * sizeof(Py_UCS4));
    if (chars == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    output->chars = chars;
    Py_ssize_t *sources = PyMem_Realloc(output->sources, (size_t)capacity * sizeof(Py_ssize_t));
    if (sources == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    output->sources = sources;
    output->capacity = capacity;
    return 0;
}

static inline void
output_put(Output *output, Py_UCS4 ch, Py_ssize_t source)
{
    output->chars[output->length] = ch;
    output->sources[output->length] = source;
    output->length++;
}

static void
output_free(Output *output)
{
    PyMem_Free(output->chars);
    PyMem_Free(output->sources);
}

/* (text, origin) of the output: origin[i] is `origin_in[source]` when an input origin is given (a map
 * applied to text that is itself mapped), else `source`. */
static PyObject *
output_result(Output *output, PyObject *origin_in)
{
    PyObject *text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, output->chars, output->length);
    if (text == NULL) {
        return NULL;
    }
    PyObject *origin = PyList_New(output->length);
    if (origin == NULL) {
        Py_DECREF(text);
        return NULL;
    }
    for (Py_ssize_t index = 0; index < output->length; index++) {
        Py_ssize_t source = output->sources[index];
        PyObject *item = origin_in != NULL ? Py_NewRef(PyList_GET_ITEM(origin_in, source)) : position(source);
        if (item == NULL) {
            Py_DECREF(origin);  /* the entries not set yet are NULL, which the list's deallocation skips */
            Py_DECREF(text);
            return NULL;
        }
        PyList_SET_ITEM(origin, index, item);
    }
    PyObject *result = PyTuple_Pack(2, text, origin);
    Py_DECREF(text);
    Py_DECREF(origin);
    return result;
}

/* What a function that filled `output` returns: its (text, origin), or NULL if it failed; the buffer
 * is freed either way. */
static PyObject *
output_finish(Output *output, PyObject *origin_in, int failed)
{
    PyObject *result = failed ? NULL : output_result(output, origin_in);
    output_free(output);
    return result;
}

/* The origin list given with a text: None, or a list at least as long as the text. */
static int
parse_origin(PyObject *origin, Py_ssize_t length, PyObject **origin_in)
{
    if (origin == Py_None) {
        *origin_in = NULL;
        return hold_positions(length + 1);
    }
    if (!PyList_CheckExact(origin) || PyList_GET_SIZE(origin) < length) {
        PyErr_SetString(PyExc_ValueError, "origin must be None or a list of an index per character");
        return -1;
    }
    *origin_in = origin;
    return 0;
}

PyDoc_STRVAR(translate_with_offsets_doc,
"translate_with_offsets(text, single, special, origin, /)\n--\n\n"
"`text.translate(table)` and, per output character, the index of the input character it came from\n"
"(or origin[index] when `origin` is a list). The table is given as `single`, a str of 65,536\n"
"characters (single[cp]: what code point cp becomes, or NUL to look it up in `special`), and\n"
"`special`, a dict of code point -> str (empty: dropped) for NUL-marked and astral code points.");

/* Fill `output` with `text` translated; -1 on failure. */
static int
translate_into(Output *output, const Text *text, PyObject *single, PyObject *special)
{
    const int single_kind = PyUnicode_KIND(single);
    const void *single_data = PyUnicode_DATA(single);
    if (output_reserve(output, text->length) < 0) {
        return -1;
    }
    for (Py_ssize_t index = 0; index < text->length; index++) {
        Py_UCS4 ch = PyUnicode_READ(text->kind, text->data, index);
        if (ch < 65536) {
            Py_UCS4 mapped = PyUnicode_READ(single_kind, single_data, ch);
            if (mapped != 0) {
                output_put(output, mapped, index);
                continue;
            }
        }
        PyObject *key = PyLong_FromUnsignedLong(ch);
        if (key == NULL) {
            return -1;
        }
        PyObject *replacement = PyDict_GetItemWithError(special, key);  /* borrowed */
        Py_DECREF(key);
        if (replacement == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            output_put(output, ch, index);  /* an astral code point the table leaves as it is */
            continue;
        }
        if (!PyUnicode_Check(replacement)) {
            PyErr_SetString(PyExc_TypeError, "special maps code points to str");
            return -1;
        }
        Py_ssize_t replaced = PyUnicode_GET_LENGTH(replacement);
        if (output_reserve(output, replaced + (text->length - index)) < 0) {
            return -1;
        }
        for (Py_ssize_t at = 0; at < replaced; at++) {
            output_put(output, PyUnicode_READ_CHAR(replacement, at), index);
        }
    }
    return 0;
}

static PyObject *
translate_with_offsets(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "translate_with_offsets() takes 4 arguments");
        return NULL;
    }
    PyObject *single = args[1], *special = args[2], *origin_in;
    Text text;
    if (text_of(args[0], "translate_with_offsets", &text) < 0) {
        return NULL;
    }
    if (!PyUnicode_Check(single) || PyUnicode_GET_LENGTH(single) != 65536 || !PyDict_CheckExact(special)) {
        PyErr_SetString(PyExc_TypeError, "expects (str, str of 65536 characters, dict, list or None)");
        return NULL;
    }
    if (parse_origin(args[3], text.length, &origin_in) < 0) {
        return NULL;
    }
    Output output = {NULL, NULL, 0, 0};
    return output_finish(&output, origin_in, translate_into(&output, &text, single, special));
}

PyDoc_STRVAR(collapse_blanks_doc,
"collapse_blanks(text, origin, /)\n--\n\n"
"Every run of two or more blanks (\\s\\s+) made one character, a line break if the run holds one,\n"
"else a space, at the origin of the run's first blank; (text, origin) of the result.");

/* Fill `output` with `text`, its blank runs collapsed; -1 on failure. */
static int
collapse_into(Output *output, const Text *text)
{
    if (output_reserve(output, text->length) < 0) {
        return -1;
    }
    const int kind = text->kind;
    const void *data = text->data;
    Py_ssize_t index = 0;
    while (index < text->length) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, index);
        if (!is_blank(ch)) {
            output_put(output, ch, index++);
            continue;
        }
        Py_ssize_t end = index + 1;
        int line_break = ch == '\n';
        while (end < text->length && is_blank(ch = PyUnicode_READ(kind, data, end))) {
            line_break |= ch == '\n';
            end++;
        }
        if (end - index == 1) {
            output_put(output, PyUnicode_READ(kind, data, index), index);
        }
        else {
            output_put(output, line_break ? '\n' : ' ', index);
        }
        index = end;
    }
    return 0;
}

static PyObject *
collapse_blanks(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "collapse_blanks() takes 2 arguments");
        return NULL;
    }
    PyObject *origin_in;
    Text text;
    if (text_of(args[0], "collapse_blanks", &text) < 0 || parse_origin(args[1], text.length, &origin_in) < 0) {
        return NULL;
    }
    Output output = {NULL, NULL, 0, 0};
    return output_finish(&output, origin_in, collapse_into(&output, &text));
}

/* ---- phrase automaton ------------------------------------------------------------------------ */

/* Aho-Corasick over a fixed set of keys, as a full transition table: one look-up per character of
 * the text (pyahocorasick follows failure links and searches a node's children per character).
 * Reports what pyahocorasick's Automaton.iter reports, in its order: at each end position the
 * longest key first, then the keys that are suffixes of it, longest first. */
typedef struct {
    PyObject_HEAD
    PyObject *keys;        /* list of str, as given (for pickling) */
    PyObject *values;      /* list, values[k] belongs to keys[k] */
    Py_ssize_t classes;    /* 1 + number of distinct characters in the keys; class 0: any other */
    unsigned short *bmp_class;  /* 65,536 entries */
    Py_UCS4 *astral_chars;      /* sorted; their classes in astral_classes */
    unsigned short *astral_classes;
    Py_ssize_t astral_count;
    int *delta;            /* states x classes */
    Py_ssize_t *output_start;   /* per state, into outputs; output_start[states] ends the last */
    Py_ssize_t *outputs;   /* indexes into values */
    Py_ssize_t states;
} Automaton;

static void
automaton_free_tables(Automaton *self)
{
    PyMem_Free(self->bmp_class);
    PyMem_Free(self->astral_chars);
    PyMem_Free(self->astral_classes);
    PyMem_Free(self->delta);
    PyMem_Free(self->output_start);
    PyMem_Free(self->outputs);
    self->bmp_class = NULL;
    self->astral_chars = NULL;
    self->astral_classes = NULL;
    self->delta = NULL;
    self->output_start = NULL;
    self->outputs = NULL;
}

static void
automaton_dealloc(Automaton *self)
{
    automaton_free_tables(self);
    Py_XDECREF(self->keys);
    Py_XDECREF(self->values);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static inline Py_ssize_t
automaton_class(const Automaton *self, Py_UCS4 ch)
{
    if (ch < 65536) {
        return self->bmp_class[ch];
    }
    Py_ssize_t low = 0, high = self->astral_count;
    while (low < high) {
        Py_ssize_t middle = (low + high) / 2;
        if (self->astral_chars[middle] < ch) {
            low = middle + 1;
        }
        else {
            high = middle;
        }
    }
    return low < self->astral_count && self->astral_chars[low] == ch ? self->astral_classes[low] : 0;
}

/* The keys' character classes, in order of first appearance; -1 on failure. */
static int
automaton_classes(Automaton *self)
{
    self->bmp_class = PyMem_Calloc(65536, sizeof(unsigned short));
    if (self->bmp_class == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t classes = 1;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(self->keys); k++) {
        PyObject *key = PyList_GET_ITEM(self->keys, k);
        for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(key); i++) {
            Py_UCS4 ch = PyUnicode_READ_CHAR(key, i);
            if (automaton_class(self, ch) != 0) {
                continue;
            }
            if (classes >= 65535) {
                PyErr_SetString(PyExc_ValueError, "too many distinct characters in the keys");
                return -1;
            }
            if (ch < 65536) {
                self->bmp_class[ch] = (unsigned short)classes++;
                continue;
            }
            Py_ssize_t count = self->astral_count;
            Py_UCS4 *chars = PyMem_Realloc(self->astral_chars, (size_t)(count + 1) * sizeof(Py_UCS4));
            if (chars != NULL) {
                self->astral_chars = chars;
            }
            unsigned short *astral = chars == NULL ? NULL
                : PyMem_Realloc(self->astral_classes, (size_t)(count + 1) * sizeof(unsigned short));
            if (astral == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            self->astral_classes = astral;
            while (count > 0 && chars[count - 1] > ch) {  /* kept sorted for the binary search */
                chars[count] = chars[count - 1];
                astral[count] = astral[count - 1];
                count--;
            }
            chars[count] = ch;
            astral[count] = (unsigned short)classes++;
            self->astral_count++;
        }
    }
    self->classes = classes;
    return 0;
}

static int
automaton_build(Automaton *self)
{
    if (automaton_classes(self) < 0) {
        return -1;
    }
    const Py_ssize_t count = PyList_GET_SIZE(self->keys), classes = self->classes;
    Py_ssize_t most_states = 1;
    for (Py_ssize_t k = 0; k < count; k++) {
        most_states += PyUnicode_GET_LENGTH(PyList_GET_ITEM(self->keys, k));
    }
    int status = -1;
    Py_ssize_t *terminal = PyMem_Malloc((size_t)most_states * sizeof(Py_ssize_t));
    int *fail = PyMem_Malloc((size_t)most_states * sizeof(int));
    int *queue = PyMem_Malloc((size_t)most_states * sizeof(int));
    Py_ssize_t *own_start = PyMem_Malloc((size_t)most_states * sizeof(Py_ssize_t));
    Py_ssize_t *own_length = PyMem_Malloc((size_t)most_states * sizeof(Py_ssize_t));
    Py_ssize_t *flat = NULL;
    self->delta = PyMem_Malloc((size_t)(most_states * classes) * sizeof(int));
    if (terminal == NULL || fail == NULL || queue == NULL || own_start == NULL || own_length == NULL
        || self->delta == NULL) {
        goto no_memory;
    }
    /* The trie: goto entries in the table that becomes the full transition table. */
    for (Py_ssize_t i = 0; i < most_states * classes; i++) {
        self->delta[i] = -1;
    }
    Py_ssize_t states = 1;
    terminal[0] = -1;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *key = PyList_GET_ITEM(self->keys, k);
        Py_ssize_t length = PyUnicode_GET_LENGTH(key), state = 0;
        for (Py_ssize_t i = 0; i < length; i++) {
            int *next = &self->delta[state * classes + automaton_class(self, PyUnicode_READ_CHAR(key, i))];
            if (*next < 0) {
                terminal[states] = -1;
                *next = (int)states++;
            }
            state = *next;
        }
        if (length > 0) {
            terminal[state] = k;  /* a repeated key: the last value wins, as with add_word */
        }
    }
    /* Breadth first: failure links, the full transition table and each state's outputs (its own key,
     * then its failure state's outputs, laid out already: that state is shallower). */
    Py_ssize_t head = 0, tail = 0, outputs_held = 0, outputs_size = 0;
    fail[0] = 0;
    own_start[0] = 0;
    own_length[0] = 0;
    for (Py_ssize_t cls = 0; cls < classes; cls++) {
        int *next = &self->delta[cls];
        if (*next < 0) {
            *next = 0;
        }
        else {
            fail[*next] = 0;
            queue[tail++] = *next;
        }
    }
    while (head < tail) {
        int state = queue[head++];
        for (Py_ssize_t cls = 0; cls < classes; cls++) {
            int *next = &self->delta[state * classes + cls];
            int fallback = self->delta[fail[state] * classes + cls];
            if (*next < 0) {
                *next = fallback;
            }
            else {
                fail[*next] = fallback;
                queue[tail++] = *next;
            }
        }
        Py_ssize_t inherited = own_length[fail[state]];
        Py_ssize_t length = (terminal[state] >= 0) + inherited;
        if (outputs_held + length > outputs_size) {
            outputs_size = Py_MAX(outputs_held + length, 2 * outputs_size + 64);
            Py_ssize_t *grown = PyMem_Realloc(flat, (size_t)outputs_size * sizeof(Py_ssize_t));
            if (grown == NULL) {
                goto no_memory;
            }
            flat = grown;
        }
        own_start[state] = outputs_held;
        own_length[state] = length;
        if (terminal[state] >= 0) {
            flat[outputs_held++] = terminal[state];
        }
        memcpy(flat + outputs_held, flat + own_start[fail[state]], (size_t)inherited * sizeof(Py_ssize_t));
        outputs_held += inherited;
    }
    /* The outputs by state number: state s reports outputs[output_start[s] .. output_start[s + 1]]. */
    self->output_start = PyMem_Malloc((size_t)(states + 1) * sizeof(Py_ssize_t));
    self->outputs = PyMem_Malloc((size_t)Py_MAX(outputs_held, 1) * sizeof(Py_ssize_t));
    if (self->output_start == NULL || self->outputs == NULL) {
        goto no_memory;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t state = 0; state < states; state++) {
        self->output_start[state] = at;
        memcpy(self->outputs + at, flat + own_start[state], (size_t)own_length[state] * sizeof(Py_ssize_t));
        at += own_length[state];
    }
    self->output_start[states] = at;
    self->states = states;
    status = 0;
    goto done;

no_memory:
    PyErr_NoMemory();
done:
    PyMem_Free(terminal);
    PyMem_Free(fail);
    PyMem_Free(queue);
    PyMem_Free(own_start);
    PyMem_Free(own_length);
    PyMem_Free(flat);
    return status;
}

static PyObject *
automaton_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *keys, *values;
    static char *names[] = {"keys", "values", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!:Automaton", names, &PyList_Type, &keys, &PyList_Type,
                                     &values)) {
        return NULL;
    }
    if (PyList_GET_SIZE(keys) != PyList_GET_SIZE(values)) {
        PyErr_SetString(PyExc_ValueError, "keys and values differ in length");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(keys); k++) {
        if (!PyUnicode_Check(PyList_GET_ITEM(keys, k))) {
            PyErr_SetString(PyExc_TypeError, "keys must be str");
            return NULL;
        }
    }
    Automaton *self = (Automaton *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->keys = PyList_GetSlice(keys, 0, PyList_GET_SIZE(keys));
    self->values = PyList_GetSlice(values, 0, PyList_GET_SIZE(values));
    if (self->keys == NULL || self->values == NULL || automaton_build(self) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

PyDoc_STRVAR(automaton_iter_doc,
"iter(text, /)\n--\n\n"
"[(index of the last character, value), ...] for every occurrence of every key in `text`: what\n"
"pyahocorasick's Automaton.iter(text) yields, as a list, so that either automaton serves a caller.");

static PyObject *
automaton_iter(Automaton *self, PyObject *text)
{
    Text t;
    if (text_of(text, "iter", &t) < 0 || hold_positions(t.length + 1) < 0) {
        return NULL;
    }
    const Py_ssize_t length = t.length;
    const int kind = t.kind;
    const void *data = t.data;
    PyObject *found = PyList_New(0);
    if (found == NULL) {
        return NULL;
    }
    Py_ssize_t state = 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        Py_ssize_t cls = automaton_class(self, PyUnicode_READ(kind, data, index));
        state = self->delta[state * self->classes + cls];
        for (Py_ssize_t at = self->output_start[state]; at < self->output_start[state + 1]; at++) {
            PyObject *last = position(index);
            PyObject *hit = last != NULL ? PyTuple_Pack(2, last, PyList_GET_ITEM(self->values, self->outputs[at]))
                                         : NULL;
            Py_XDECREF(last);
            if (append_new(found, hit) < 0) {
                Py_DECREF(found);
                return NULL;
            }
        }
    }
    return found;
}

static PyObject *
automaton_reduce(Automaton *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("O(OO)", Py_TYPE(self), self->keys, self->values);
}

static Py_ssize_t
automaton_length(Automaton *self)
{
    return PyList_GET_SIZE(self->keys);
}

static PyMethodDef automaton_methods[] = {
    {"iter", (PyCFunction)automaton_iter, METH_O, automaton_iter_doc},
    {"__reduce__", (PyCFunction)automaton_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods automaton_as_sequence = {
    .sq_length = (lenfunc)automaton_length,
};

static PyTypeObject AutomatonType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "transforms._native.Automaton",
    .tp_doc = PyDoc_STR("Automaton(keys, values): every key of a fixed set found in one pass over a text."),
    .tp_basicsize = sizeof(Automaton),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = automaton_new,
    .tp_dealloc = (destructor)automaton_dealloc,
    .tp_methods = automaton_methods,
    .tp_as_sequence = &automaton_as_sequence,
};

static PyMethodDef native_methods[] = {
    {"token_spans", token_spans, METH_O, token_spans_doc},
    {"translate_with_offsets", (PyCFunction)(void (*)(void))translate_with_offsets, METH_FASTCALL,
     translate_with_offsets_doc},
    {"collapse_blanks", (PyCFunction)(void (*)(void))collapse_blanks, METH_FASTCALL, collapse_blanks_doc},
    {NULL, NULL, 0, NULL},
};

static int
native_exec(PyObject *module)
{
    if (PyType_Ready(&AutomatonType) < 0) {
        return -1;
    }
    return PyModule_AddObjectRef(module, "Automaton", (PyObject *)&AutomatonType);
}

static PyModuleDef_Slot native_slots[] = {
    {Py_mod_exec, native_exec},
    {0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "transforms._native",
    .m_doc = "Hot text loops of the extraction, in C (optional; see transforms/native.py).",
    .m_size = 0,
    .m_methods = native_methods,
    .m_slots = native_slots,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    fill_classes();
    return PyModuleDef_Init(&native_module);
}
