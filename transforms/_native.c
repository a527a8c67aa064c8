/* Hot text loops of the extraction, in C. Optional: every function here has a Python definition that
 * gives the same result (transforms/actors.py), used when this module is not built. The tests check
 * that both agree (tests/test_native.py).
 *
 * Character classes are CPython's own, the ones `re` uses for a str pattern: a word character is
 * Py_UNICODE_ISALNUM or '_' (`\w`), a blank is Py_UNICODE_ISSPACE (`\s`).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static inline int
is_word(Py_UCS4 ch)
{
    return ch == '_' || Py_UNICODE_ISALNUM(ch);
}

/* Shared int objects for positions 0, 1, 2, ...: token offsets are mostly above the 256 small ints
 * CPython keeps, and allocating two new ints per token was a third of the tokeniser's time. */
static PyObject **positions = NULL;
static Py_ssize_t positions_held = 0;

static int
hold_positions(Py_ssize_t count)
{
    if (count <= positions_held) {
        return 0;
    }
    Py_ssize_t wanted = Py_MAX(count, Py_MAX(2 * positions_held, 65536));
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

static inline PyObject *
position(Py_ssize_t value)
{
    return Py_NewRef(positions[value]);
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

PyDoc_STRVAR(token_spans_doc,
"token_spans(text, /)\n--\n\n"
"Token starts, ends and words of `text`: runs of word characters, and every other character that\n"
"is not blank on its own. The same as splitting on the pattern (\\w+|[^\\w\\s]).");

static PyObject *
token_spans(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "token_spans() expects str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (hold_positions(length + 1) < 0) {
        return NULL;
    }
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
        else if (Py_UNICODE_ISSPACE(ch)) {
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

static PyMethodDef native_methods[] = {
    {"token_spans", token_spans, METH_O, token_spans_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "transforms._native",
    .m_doc = "Hot text loops of the extraction, in C (optional; see transforms/actors.py).",
    .m_size = 0,
    .m_methods = native_methods,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    return PyModuleDef_Init(&native_module);
}
