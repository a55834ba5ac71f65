// The tool's name as users type it (package.json's bin): the one definition every hint and help text uses.
export const BIN = 'lambda-async-demo';
