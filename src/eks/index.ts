export { createEksRoutes } from './routes.js'
